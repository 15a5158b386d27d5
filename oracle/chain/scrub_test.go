package chain

import (
	"encoding/base64"
	"net/url"
	"slices"
	"testing"
)

// Path segments and query values of 8 characters or more are secrets in both
// their escaped and decoded forms, user name, password and the Basic credential
// whatever their length; query names and short words are not, so they stay
// readable in the answers the node quotes.
func TestURLSecrets(t *testing.T) {
	const key1 = "0123456789abcdef0123456789abcdef"
	const key2 = "Zm9vYmFy%2Bc2VjcmV0" // "Zm9vYmFy+c2VjcmV0" escaped
	for _, tc := range []struct {
		url  string
		want []string
	}{
		{"https://h/v3/" + key1 + "?apikey=" + key2 + "&chain=1",
			[]string{key1, key2, "Zm9vYmFy+c2VjcmV0"}},
		{"https://h/rpc/v1?key=short&x=&y", nil},
		{"https://h/?" + key1 + "&long_query_name=1", []string{key1}},
		{"https://h/a%20long%20name/", []string{"a%20long%20name", "a long name"}},
		{"https://h/%41%42%43%44%45", nil}, // "ABCDE": short, however it is escaped
		{"https://u:p@h/v3", []string{"u", "p", base64.StdEncoding.EncodeToString([]byte("u:p"))}},
		{"https://user@h", []string{"user", base64.StdEncoding.EncodeToString([]byte("user:"))}},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got := urlSecrets(u)
		for i := 1; i < len(got); i++ {
			if len(got[i]) > len(got[i-1]) {
				t.Errorf("%s: secrets %q are not longest first", tc.url, got)
			}
		}
		slices.Sort(got)
		slices.Sort(tc.want)
		if !slices.Equal(got, tc.want) {
			t.Errorf("urlSecrets(%s) = %q, want %q", tc.url, got, tc.want)
		}
	}
}
