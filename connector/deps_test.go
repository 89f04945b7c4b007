package connector

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDepsClientNeverFollowsRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the default client followed a redirect to another host")
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	defer api.Close()
	resp, err := Deps{}.Client().Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status %d, want the 302 itself", resp.StatusCode)
	}
	own := &http.Client{}
	if (Deps{HTTP: own}).Client() != own {
		t.Error("the host's client was not used")
	}
}

func TestValidBaseURL(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"https://misp.example", true}, {"http://10.0.0.5:8080/opencti", true},
		{"", false}, {"ftp://x", false}, {"https://", false}, {"https://u:p@x", false},
		{"https://x/?a=1", false}, {"https://x/#f", false}, {"::", false},
	} {
		if err := ValidBaseURL(c.in); (err == nil) != c.ok {
			t.Errorf("ValidBaseURL(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}
