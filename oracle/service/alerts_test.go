package service

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"
)

// describing is a prometheus.Registerer that records the names of the series its
// collectors describe.
type describing struct{ names map[string]bool }

var descName = regexp.MustCompile(`fqName: "([a-zA-Z0-9_:]+)"`)

func (d *describing) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	for desc := range ch {
		if m := descName.FindStringSubmatch(desc.String()); m != nil {
			d.names[m[1]] = true
		}
	}
	return nil
}

func (d *describing) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = d.Register(c)
	}
}

func (d *describing) Unregister(prometheus.Collector) bool { return false }

// TestAlertRulesNameRealMetrics parses deploy/alerts.yml as Prometheus rule groups
// and checks that every teeoracle_* series an expression names is one the node
// exports (histograms through their _bucket, _sum and _count series), so a renamed
// metric cannot leave an alert that never fires.
func TestAlertRulesNameRealMetrics(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	reg := &describing{names: map[string]bool{}}
	newMetrics(reg)
	if len(reg.names) < 10 {
		t.Fatalf("only %d series described: %v", len(reg.names), reg.names)
	}
	series := regexp.MustCompile(`\bteeoracle_[a-z0-9_]+`)
	rules, named := 0, 0
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			rules++
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q: needs alert, expr, labels.severity and annotations.summary", r.Alert)
			}
			for _, s := range series.FindAllString(r.Expr, -1) {
				named++
				base := s
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if strings.HasSuffix(s, suf) && reg.names[strings.TrimSuffix(s, suf)] {
						base = strings.TrimSuffix(s, suf)
					}
				}
				if !reg.names[base] {
					t.Errorf("rule %s names %s, which the node does not export", r.Alert, s)
				}
			}
		}
	}
	if rules < 8 || named < 8 {
		t.Errorf("%d rules naming %d series: the file lost its rules?", rules, named)
	}
}
