package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestZZProbeHosts(t *testing.T) {
	for _, h := range []string{"::1", "[::1]", "[::1]:5000", "::1:5000", "LOCALHOST:5000", "Docker.IO", "https://index.docker.io/v1/", "foo_bar.com", "exa$mple.com", "host:0", "host:+80", "host:080", "[::1]:", "a..b", "-a.com", "host%20x", "docker.io:443", "[fe80::1%25eth0]:5000", "xn--bcher-kva.de", "localhost"} {
		k, err := normalizeHostPort(h)
		fmt.Printf("%-30q -> %q %v | checkHost=%v\n", h, k, err, checkHost(h))
	}
}

func TestZZProbeBrokenConfig(t *testing.T) {
	for name, body := range map[string]string{
		"notjson":   "{not json",
		"badauth":   `{"auths":{"REG":{"auth":"!!!notbase64"}}}`,
		"nocolon":   `{"auths":{"REG":{"auth":"` + "bm9jb2xvbg==" + `"}}}`,
		"helper":    `{"credsStore":"nonexistent-zz"}`,
		"credhelp":  `{"credHelpers":{"REG":"nonexistent-zz"}}`,
		"emptyfile": ``,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("HOME", dir)
			t.Setenv("DOCKER_CONFIG", dir)
			t.Setenv("REGISTRY_AUTH_FILE", "")
			t.Setenv("XDG_RUNTIME_DIR", "")
			f := newFake(t)
			f.setTags("acme/x", []string{"a"})
			b := []byte(body)
			b = []byte(fmt.Sprint(string(b)))
			s := string(b)
			s = replaceAll(s, "REG", f.host)
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(s), 0o600)
			c := newTestClient(t, Config{MaxRetries: 0})
			got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			fmt.Printf("%s: %v %v\n", name, got, err)
		})
	}
}

func replaceAll(s, a, b string) string {
	out := ""
	for {
		i := indexOf(s, a)
		if i < 0 {
			return out + s
		}
		out += s[:i] + b
		s = s[i+len(a):]
	}
}
func indexOf(s, a string) int {
	for i := 0; i+len(a) <= len(s); i++ {
		if s[i:i+len(a)] == a {
			return i
		}
	}
	return -1
}
