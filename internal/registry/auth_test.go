package registry

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

const secret = "s3cr3t-Passw0rd"

// Bearer auth with a registry_auth credential: one ping and one token for a
// repository, however many calls follow.
func TestBearerWithCredentials(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBearer("me", secret))
	digest, _ := f.pushIndex("prefecthq/prefect", "3-latest")
	f.setTags("prefecthq/prefect", []string{"3-latest", "3.1.15-python3.12"})
	logs := &logRecorder{}
	c := newTestClient(t, Config{
		Credentials: []Credential{
			{Host: "ghcr.io", Username: "other", Password: "other-password"},
			{Host: f.host, Username: "me", Password: secret},
		},
		Logger: logs,
	})
	ctx := context.Background()
	if _, err := c.ListTags(ctx, repoOf(t, f.repo("prefecthq/prefect"))); err != nil {
		t.Fatal(err)
	}
	d, err := c.Head(ctx, repoOf(t, f.repo("prefecthq/prefect")), "3-latest")
	if err != nil || d.Digest != digest {
		t.Fatalf("Head: %+v, %v", d, err)
	}
	if _, err := c.Platforms(ctx, repoOf(t, f.repo("prefecthq/prefect")), "3-latest"); err != nil {
		t.Fatal(err)
	}
	if f.count("ping") != 1 || f.count("token") != 1 {
		t.Errorf("ping %d, token %d; want 1 and 1 for one repository", f.count("ping"), f.count("token"))
	}
	if strings.Contains(logs.text(), secret) || strings.Contains(logs.text(), "tok-") || strings.Contains(logs.text(), "Bearer") {
		t.Errorf("the log holds a credential or token:\n%s", logs.text())
	}
	if !strings.Contains(logs.text(), "configured credentials") {
		t.Errorf("the log does not say where the credentials came from:\n%s", logs.text())
	}
}

// Credentials come from the Docker config when no registry_auth matches,
// read lazily: a broken config does not fail New.
func TestBearerWithDockerConfigKeychain(t *testing.T) {
	f := newFake(t, withBearer("dock", secret))
	f.setTags("acme/x", []string{"a"})
	dockerConfig(t, map[string]string{f.host: "dock:" + secret})
	c := newTestClient(t, Config{})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, err)
	}
	if f.count("token") != 1 {
		t.Errorf("%d token requests", f.count("token"))
	}
}

func TestKeychainReadLazily(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HOME", dir)
	t.Setenv("DOCKER_CONFIG", dir)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	var resolved atomic.Int32
	kc := keychainFunc(func(r authn.Resource) (authn.Authenticator, error) {
		resolved.Add(1)
		return authn.Anonymous, nil
	})
	if _, err := New(Config{Keychain: kc}); err != nil {
		t.Fatal(err)
	}
	if resolved.Load() != 0 {
		t.Error("New consulted the keychain")
	}
	// The default keychain with a broken config: New succeeds, the first
	// request says what is wrong.
	c, err := New(Config{})
	if err != nil {
		t.Fatalf("New read the Docker config: %v", err)
	}
	f := newFake(t)
	_, err = c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "Docker config") {
		t.Fatalf("got %v", err)
	}
	if f.count("ping") != 0 {
		t.Error("a request was sent although the credentials could not be read")
	}
}

type keychainFunc func(authn.Resource) (authn.Authenticator, error)

func (k keychainFunc) Resolve(r authn.Resource) (authn.Authenticator, error) { return k(r) }

// A registry_auth block wins over the Docker config.
func TestCredentialsBeforeKeychain(t *testing.T) {
	f := newFake(t, withBasic("block", secret))
	f.setTags("acme/x", []string{"a"})
	dockerConfig(t, map[string]string{f.host: "dock:wrong-password"})
	c := newTestClient(t, Config{Credentials: []Credential{{Host: f.host, Username: "block", Password: secret}}})
	if _, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x"))); err != nil {
		t.Fatal(err)
	}
}

func TestBasicAuth(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBasic("me", secret))
	f.setTags("acme/x", []string{"a", "b"})
	digest, _ := f.pushIndex("acme/x", "a")
	c := newTestClient(t, Config{Credentials: []Credential{{Host: f.host, Username: "me", Password: secret}}})
	got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if err != nil || len(got) != 2 {
		t.Fatalf("got %v, %v", got, err)
	}
	d, err := c.Head(context.Background(), repoOf(t, f.repo("acme/x")), "a")
	if err != nil || d.Digest != digest {
		t.Fatalf("Head: %+v, %v", d, err)
	}
	if f.count("token") != 0 || f.count("ping") != 1 {
		t.Errorf("ping %d, token %d; want 1 and 0", f.count("ping"), f.count("token"))
	}
}

// A wrong password: IsUnauthorized, and a message naming the registry, the
// repository and where credentials come from, without the password.
func TestWrongPasswordUnauthorized(t *testing.T) {
	for name, opt := range map[string]fakeOption{
		"bearer": withBearer("me", "the-right-one"),
		"basic":  withBasic("me", "the-right-one"),
	} {
		t.Run(name, func(t *testing.T) {
			noDockerConfig(t)
			f := newFake(t, opt)
			f.setTags("acme/x", []string{"a"})
			logs := &logRecorder{}
			c := newTestClient(t, Config{
				Credentials: []Credential{{Host: f.host, Username: "me", Password: secret}},
				Logger:      logs,
				MaxRetries:  3,
			})
			_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if !IsUnauthorized(err) {
				t.Fatalf("got %v, want unauthorized", err)
			}
			msg := err.Error()
			for _, want := range []string{f.host, "acme/x", "list tags", "401", "configured credentials for " + f.host} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}
			if strings.Contains(msg, secret) || strings.Contains(logs.text(), secret) {
				t.Errorf("the password leaked: %s\n%s", msg, logs.text())
			}
			if f.count("token")+f.count("list") > 2 {
				t.Errorf("a 401 was retried: token %d, list %d", f.count("token"), f.count("list"))
			}
		})
	}
}

// Anonymous access to a registry that wants credentials.
func TestAnonymousUnauthorized(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBasic("me", secret))
	c := newTestClient(t, Config{})
	_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
	if !IsUnauthorized(err) || !strings.Contains(err.Error(), "This request used anonymous access") {
		t.Fatalf("got %v", err)
	}
}

// Credentials configured for the host without its port (or with another)
// are not sent, as docker and crane match a host with its port, and the
// refusal says which configured credentials nearly applied.
func TestCredentialsForAnotherPortNamed(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t, withBasic("me", secret))
	hostOnly, _, err := net.SplitHostPort(f.host)
	if err != nil {
		t.Fatal(err)
	}
	for _, configured := range []string{hostOnly, hostOnly + ":1"} {
		c := newTestClient(t, Config{Credentials: []Credential{{Host: configured, Username: "me", Password: secret}}})
		_, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
		want := "This request used anonymous access: the configured credentials for " + configured + " are for another port"
		if !IsUnauthorized(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("credentials for %s: got %v, want it to say %q", configured, err, want)
		}
	}
}

// The three Docker Hub names are one host for credentials.
func TestDockerHubCredentialHost(t *testing.T) {
	noDockerConfig(t)
	for _, host := range []string{"docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"} {
		for _, repo := range []string{"prefecthq/prefect", "docker.io/prefecthq/prefect", "registry-1.docker.io/prefecthq/prefect"} {
			c := newTestClient(t, Config{Credentials: []Credential{{Host: host, Username: "u", Password: "p"}}})
			ref, err := ParseRepository(repo)
			if err != nil {
				t.Fatal(err)
			}
			_, source, err := c.authenticator(context.Background(), ref)
			if err != nil || !strings.HasPrefix(source, sourceBlock) {
				t.Errorf("credential host %q, repository %q: source %q, %v", host, repo, source, err)
			}
		}
	}
	c := newTestClient(t, Config{Credentials: []Credential{{Host: "ghcr.io", Username: "u", Password: "p"}}})
	ref, _ := ParseRepository("prefecthq/prefect")
	if _, source, _ := c.authenticator(context.Background(), ref); source != sourceAnonymous {
		t.Errorf("a ghcr.io credential was used for Docker Hub (%s)", source)
	}
}

func TestNewDoesNoNetwork(t *testing.T) {
	noDockerConfig(t)
	f := newFake(t)
	if _, err := New(Config{InsecureHosts: []string{f.host}, Credentials: []Credential{{Host: f.host, Username: "a", Password: "b"}}}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ping", "token", "list", "head", "get", "blob", "other"} {
		if f.count(k) != 0 {
			t.Errorf("New sent a %s request", k)
		}
	}
}

func TestNewRejectsBadCA(t *testing.T) {
	if _, err := New(Config{CACertPEM: []byte("not a certificate")}); err == nil {
		t.Fatal("want an error for a bad CA PEM")
	}
	if _, err := New(Config{InsecureHosts: []string{"bad host/x y"}}); err == nil {
		t.Fatal("want an error for a bad insecure host")
	}
}

// Docker config auths keys are matched as docker matches them (its
// ConvertToHostname): a scheme, a path (docker login's legacy
// https://host/v1/, a /v2/, a repository path) and http:// rather than
// https:// are all the host. go-containerregistry's keychain does it
// through docker/cli's file store; no other test pinned it, and a keychain
// change that lost it would make such a config anonymous silently.
func TestDockerConfigKeyForms(t *testing.T) {
	for _, key := range []string{"http://HOST", "https://HOST", "https://HOST/v1/", "https://HOST/v2/", "HOST/acme", "HOST/acme/x"} {
		t.Run(key, func(t *testing.T) {
			f := newFake(t, withBasic("dock", "key-form-"+secret))
			f.setTags("acme/x", []string{"a"})
			dockerConfig(t, map[string]string{strings.ReplaceAll(key, "HOST", f.host): "dock:key-form-" + secret})
			c := newTestClient(t, Config{MaxRetries: 0})
			got, err := c.ListTags(context.Background(), repoOf(t, f.repo("acme/x")))
			if err != nil || len(got) != 1 {
				t.Fatalf("auths key %q: got %v, %v", key, got, err)
			}
		})
	}
}
