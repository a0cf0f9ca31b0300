// Package authfile finds registry credentials in the Docker config, as
// docker does, and where there is no Docker config file, as docker and
// podman do: in DOCKER_AUTH_CONFIG, then in Podman's auth file. Credential
// helpers are run within a time limit (helperGet).
package authfile

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Without a Docker config file, go-containerregistry's default keychain
// reads Podman's auth file as if it were one: Docker Hub only under
// https://index.docker.io/v1/, where podman login writes docker.io, and a
// namespace's key (quay.io/org-a) for any repository of the registry,
// picked at random among several. It reads DOCKER_AUTH_CONFIG, which
// docker reads with or without a file, only with one. So without a Docker
// config file the registry Client reads both through Lookup.

// DockerConfigFound reports whether there is a Docker config file, as
// go-containerregistry's keychain looks for one: ~/.docker/config.json,
// else config.json under DOCKER_CONFIG. When there is, the keychain reads
// it as docker does.
func DockerConfigFound() bool {
	if home, err := os.UserHomeDir(); err == nil && fileExists(filepath.Join(home, ".docker", "config.json")) {
		return true
	}
	dir := os.Getenv("DOCKER_CONFIG")
	return dir != "" && fileExists(filepath.Join(dir, "config.json"))
}

// podmanAuthFiles are the auth files read when there is no Docker config,
// in turn, as podman reads them (containers-auth.json(5), containers/image's
// getAuthFilePaths): REGISTRY_AUTH_FILE alone when it exists (one that
// does not exist is passed over, as go-containerregistry does), else
// containers/auth.json under XDG_RUNTIME_DIR, where podman login writes
// (without XDG_RUNTIME_DIR, on Linux, /run/containers/<uid>/auth.json),
// then under XDG_CONFIG_HOME or ~/.config. Only those that exist.
// go-containerregistry's keychain reads only the first of XDG_RUNTIME_DIR's
// and ~/.config's that exists, and never /run/containers/<uid>, so a
// registry logged in to in the second went anonymous whenever the first
// existed, and one logged in to in /run/containers/<uid> always did.
func podmanAuthFiles() []string {
	if p := os.Getenv("REGISTRY_AUTH_FILE"); p != "" && fileExists(p) {
		return []string{filepath.Clean(p)}
	}
	var files []string
	runtimeFile := ""
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		runtimeFile = filepath.Join(dir, "containers", "auth.json")
	} else if runtime.GOOS == "linux" {
		runtimeFile = fmt.Sprintf(perUIDAuthFile, os.Getuid())
	}
	if runtimeFile != "" && fileExists(runtimeFile) {
		files = append(files, runtimeFile)
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if home, err := os.UserHomeDir(); dir == "" && err == nil {
		dir = filepath.Join(home, ".config")
	}
	if p := filepath.Join(dir, "containers", "auth.json"); dir != "" && fileExists(p) && !slices.Contains(files, p) {
		files = append(files, p)
	}
	return files
}

// perUIDAuthFile is the auth file podman login writes, with the user id,
// where XDG_RUNTIME_DIR is not set, on Linux.
var perUIDAuthFile = "/run/containers/%d/auth.json"

// dockerHub is Docker Hub's registry as podman login writes it.
const dockerHub = "docker.io"

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

// envSource names DOCKER_AUTH_CONFIG as where credentials came from.
const envSource = "the " + configfile.DockerEnvConfigKey + " environment variable"

// Lookup looks the repository up where there is no Docker
// config file: DOCKER_AUTH_CONFIG, as docker reads it (the exact keys
// go-containerregistry asks: the repository, then the registry, Docker
// Hub's as https://index.docker.io/v1/), then Podman's auth files in turn
// (podmanAuthFiles), the first that holds credentials for it, each read
// as podman reads it (podmanLookup), a credential helper run within
// timeout. ok is false when none holds credentials for it; file is the
// auth file that gave them, or the one that could not be read, for error
// messages.
func Lookup(ctx context.Context, repo name.Repository, timeout time.Duration) (cfg authn.AuthConfig, source, file string, ok bool, err error) {
	for _, key := range []string{repo.String(), dockerConfigKey(repo)} {
		ac, ok, err := envAuthConfig(key)
		if err != nil {
			return cfg, "", "", false, err
		}
		if ok {
			return authn.AuthConfig{Username: ac.Username, Password: ac.Password}, envSource, "", true, nil
		}
	}
	for _, file := range podmanAuthFiles() {
		ac, err := podmanFileLookup(ctx, file, repo, timeout)
		if err != nil {
			return cfg, "", file, false, err
		}
		if ac != (types.AuthConfig{}) {
			return authn.AuthConfig{Username: ac.Username, Password: ac.Password, IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken},
				"Podman's auth file " + file, file, true, nil
		}
	}
	return cfg, "", "", false, nil
}

// podmanFileLookup is the repository's credentials in the Podman auth file
// (podmanLookup), empty when it holds none.
func podmanFileLookup(ctx context.Context, file string, repo name.Repository, timeout time.Duration) (types.AuthConfig, error) {
	f, err := os.Open(file)
	if err != nil {
		return types.AuthConfig{}, err
	}
	defer func() { _ = f.Close() }()
	cf, err := config.LoadFromReader(f)
	if err != nil {
		return types.AuthConfig{}, err
	}
	return podmanLookup(ctx, cf, repo, timeout)
}

// envAuthConfig is DOCKER_AUTH_CONFIG's entry for key, as docker reads
// it, and whether it holds a user name or password; nothing when the
// variable is unset.
func envAuthConfig(key string) (types.AuthConfig, bool, error) {
	if os.Getenv(configfile.DockerEnvConfigKey) == "" {
		return types.AuthConfig{}, false, nil
	}
	ac, err := configfile.New("").GetAuthConfig(key) // no file: DOCKER_AUTH_CONFIG alone
	return ac, err == nil && (ac.Username != "" || ac.Password != ""), err
}

// dockerConfigKey is the registry's key in a Docker config.
func dockerConfigKey(repo name.Repository) string {
	if r := repo.RegistryStr(); r != name.DefaultRegistry {
		return r
	}
	return authn.DefaultAuthKey
}

// podmanLookup finds the repository's credentials in a Podman auth file as
// containers/image does (containers-auth.json(5)): the registry's
// credHelpers entry, asked for the registry; else the auths entry whose
// key is the repository or a namespace of it, most specific first, or the
// registry; else one whose key is the registry written as a URL or, for
// Docker Hub, as docker.io, index.docker.io or registry-1.docker.io. A
// namespace's entry is never used for another namespace.
func podmanLookup(ctx context.Context, cf *configfile.ConfigFile, repo name.Repository, timeout time.Duration) (types.AuthConfig, error) {
	registry := repo.RegistryStr()
	if registry == name.DefaultRegistry {
		registry = dockerHub // as podman login writes it
	}
	if helper, ok := cf.CredentialHelpers[registry]; ok {
		return helperGet(ctx, helper, registry, timeout)
	}
	found := func(key string) types.AuthConfig {
		ac := cf.AuthConfigs[key]
		ac.ServerAddress = ""
		return ac
	}
	for key := registry + "/" + repo.RepositoryStr(); ; {
		if _, ok := cf.AuthConfigs[key]; ok {
			return found(key), nil
		}
		i := strings.LastIndexByte(key, '/')
		if i < 0 {
			break
		}
		key = key[:i]
	}
	host := podmanHost(registry)
	keys := make([]string, 0, len(cf.AuthConfigs))
	for key := range cf.AuthConfigs {
		keys = append(keys, key)
	}
	slices.Sort(keys) // one answer, whatever the map's order
	for _, key := range keys {
		if podmanHost(key) == host {
			return found(key), nil
		}
	}
	return types.AuthConfig{}, nil
}

// podmanHost is an auths key as containers/image compares it with a
// registry: a URL cut to its host, Docker Hub's names folded into one.
// A key without a scheme keeps its path: a namespace is no registry.
func podmanHost(key string) string {
	stripped := strings.TrimPrefix(strings.TrimPrefix(key, "http://"), "https://")
	if stripped != key {
		stripped, _, _ = strings.Cut(stripped, "/")
	}
	switch stripped {
	case dockerHub, "index.docker.io", "registry-1.docker.io":
		return "index.docker.io"
	}
	return stripped
}
