package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestDuePages: with 10,000 machines due, an answer lists at most DefaultDueLimit
// of them (or the limit asked, at most MaxDueLimit), and following next_cursor
// walks every machine once, in the list's order, machines with the same expiry
// included; a limit out of range or a malformed cursor is refused with 400.
func TestDuePages(t *testing.T) {
	const n = 10_000
	due := make([]DueMachine, n)
	for i := range due {
		// Three machines per expiry, so pages end between machines of one expiry.
		due[i] = DueMachine{ExpiresAt: uint64(1_700_000_000 + i/3), Status: "trusted", SecondsLeft: int64(i / 3)}
		due[i].MachineID[0] = byte(i % 3)
		due[i].MachineID[1], due[i].MachineID[2] = byte(i>>8), byte(i)
	}
	s := newTestServer(t, &fakeBackend{due: due}, nil)
	get := func(query string) (int, []DueMachine, string, int) {
		t.Helper()
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/v1/machines/due"+query, nil))
		var body struct {
			Machines   []DueMachine `json:"machines"`
			NextCursor string       `json:"next_cursor"`
		}
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code, body.Machines, body.NextCursor, rec.Body.Len()
	}
	for _, tc := range []struct {
		query string
		page  int
	}{{"", DefaultDueLimit}, {"?limit=7", 7}, {"?limit=5000", MaxDueLimit}} {
		var seen []DueMachine
		query, pages := tc.query, 0
		for {
			code, page, next, size := get(query)
			if code != http.StatusOK || len(page) > tc.page || size > tc.page*256 {
				t.Fatalf("GET %q: HTTP %d, %d machines, %d bytes; want 200 and at most %d machines", query, code, len(page), size, tc.page)
			}
			seen = append(seen, page...)
			if pages++; next == "" || pages > n {
				break
			}
			sep := "?"
			if tc.query != "" {
				sep = tc.query + "&"
			}
			query = sep + "cursor=" + url.QueryEscape(next)
		}
		if len(seen) != n || pages != (n+tc.page-1)/tc.page {
			t.Fatalf("limit %q: walked %d machines in %d pages, want %d in %d", tc.query, len(seen), pages, n, (n+tc.page-1)/tc.page)
		}
		for i := range seen {
			if seen[i] != due[i] {
				t.Fatalf("limit %q: entry %d is %v, want %v", tc.query, i, seen[i], due[i])
			}
		}
	}
	for _, q := range []string{"?limit=0", "?limit=5001", "?limit=x", "?cursor=12", "?cursor=12:0x01", "?cursor=x:" + common.Hash{}.Hex()} {
		if code, _, _, _ := get(q); code != http.StatusBadRequest {
			t.Errorf("GET %q: HTTP %d, want 400", q, code)
		}
	}
}
