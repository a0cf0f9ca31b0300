package authfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/configfile"
	dockercreds "github.com/docker/cli/cli/config/credentials"
	"github.com/docker/cli/cli/config/types"
	"github.com/docker/docker-credential-helpers/credentials"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Docker's credential helpers are run here, not through docker/cli's
// native store, which go-containerregistry's keychain uses: that runs a
// helper without a deadline (a helper waiting on a keyring's unlock
// prompt hung the plan, holding the keychain's lock every other lookup
// waits on), passes its stderr on to the provider's, which Terraform
// logs, and quotes its whole stdout in the error of a failed run.

// helperOutputLimit bounds what is kept of a helper's stdout: an answer
// is one small JSON object.
const helperOutputLimit = 1 << 20

// tokenUsername is the user name with which a helper answers an identity
// token (docker/cli's credentials package).
const tokenUsername = "<token>"

// helperGet asks docker-credential-<helper> for serverURL's credentials,
// as docker does, within timeout: it is killed after that. A helper that
// answers "credentials not found" gives empty credentials and no error,
// as for docker. What a helper prints is never in an error, as it may
// hold the secret, and its stderr is dropped.
func helperGet(ctx context.Context, helper, serverURL string, timeout time.Duration) (types.AuthConfig, error) {
	prog := "docker-credential-" + helper
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, prog, credentials.ActionGet)
	cmd.Stdin = strings.NewReader(serverURL)
	var stdout capped
	cmd.Stdout = &stdout
	cmd.Stderr = new(capped)
	// A helper's children (a shell script's) may hold its stdout open
	// after it is killed: on Unix they are killed with it (killTree), and
	// in any case not waited for.
	killTree(cmd)
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The helper answered and exited 0, but a process it started (an
		// agent or cache it runs in the background) holds its stdout
		// open: its answer is taken after WaitDelay. It failed as a
		// helper that "failed"; docker and podman wait for as long as
		// that process lives (docker/docker-credential-helpers#261).
		err = nil
	}
	switch {
	case err == nil:
	case errors.Is(err, exec.ErrNotFound):
		return types.AuthConfig{}, fmt.Errorf("the credential helper %s it names is not installed (not found on PATH)", prog)
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return types.AuthConfig{}, fmt.Errorf("the credential helper %s it names did not answer within %s (the request timeout) and was stopped", prog, timeout)
	case ctx.Err() != nil:
		return types.AuthConfig{}, ctx.Err()
	case credentials.IsErrCredentialsNotFoundMessage(stdout.String()):
		return types.AuthConfig{}, nil
	default:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = errors.New(ee.String()) // "exit status 3", "signal: killed"
		}
		return types.AuthConfig{}, fmt.Errorf("the credential helper %s it names failed (%w); what it printed is not shown, as it may hold credentials", prog, err)
	}
	// The first JSON value, as docker-credential-helpers' client reads
	// it: what follows it (a wrapper's notice) is ignored.
	var creds credentials.Credentials
	if err := json.NewDecoder(bytes.NewReader(stdout.Bytes())).Decode(&creds); err != nil {
		return types.AuthConfig{}, fmt.Errorf("the credential helper %s it names answered with no JSON credentials (%d bytes, not shown, as they may hold credentials)", prog, stdout.Len())
	}
	if creds.Username == tokenUsername {
		return types.AuthConfig{IdentityToken: creds.Secret}, nil
	}
	return types.AuthConfig{Username: creds.Username, Password: creds.Secret}, nil
}

// capped is a buffer that keeps the first helperOutputLimit bytes written
// to it and drops the rest.
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := helperOutputLimit - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// getAuthConfig is cf.GetAuthConfig(key), docker's lookup, with the
// credential helper for key, if any, run by helperGet: DOCKER_AUTH_CONFIG's
// entry for key, else the helper's answer (credHelpers' entry for key,
// else credsStore) over the auths entry docker's file store finds
// (fileEntry), else that entry; of several legacy keys for the host, the
// same one every time.
// fromEnv is true when DOCKER_AUTH_CONFIG gave it.
func getAuthConfig(ctx context.Context, cf *configfile.ConfigFile, key string, timeout time.Duration) (ac types.AuthConfig, fromEnv bool, err error) {
	helper, ok := cf.CredentialHelpers[key]
	if !ok {
		helper = cf.CredentialsStore
	}
	if ac, ok, _ := envAuthConfig(key); ok { // unreadable, it is passed over, as docker does
		return ac, true, nil
	}
	ac = fileEntry(cf, key) // docker keeps what else the entry holds
	if helper == "" {
		// docker/cli's file store, cf.GetAuthConfig, takes any of several
		// legacy keys for the host, as Go's map order falls: one plan
		// sent one login and the next another.
		return ac, false, nil
	}
	got, err := helperGet(ctx, helper, key, timeout)
	if err != nil {
		return types.AuthConfig{}, false, err
	}
	ac.Username, ac.Password, ac.IdentityToken = got.Username, got.Password, got.IdentityToken
	return ac, false, nil
}

// fileEntry is the auths entry docker's file store finds for key, which
// its native store starts from: key's own, else one under a legacy key
// for the same host (https://host, http://host, https://host/v1/, as old
// docker login wrote it; docker/cli's ConvertToHostname). Of several, the
// first in sorted order, where docker takes any.
func fileEntry(cf *configfile.ConfigFile, key string) types.AuthConfig {
	if ac, ok := cf.AuthConfigs[key]; ok {
		return ac
	}
	keys := slices.Sorted(maps.Keys(cf.AuthConfigs))
	for _, k := range keys {
		if dockercreds.ConvertToHostname(k) == key {
			return cf.AuthConfigs[k]
		}
	}
	return types.AuthConfig{}
}

// DockerLookup looks the repository up in the Docker config
// (DOCKER_CONFIG, else ~/.docker/config.json) as go-containerregistry's
// default keychain does (the repository's key, then the registry's,
// Docker Hub's as https://index.docker.io/v1/), with each credential
// helper run by helperGet, within timeout. ok is false when the config
// holds no credentials for it; source names DOCKER_AUTH_CONFIG when that
// gave them, and is "" when the config file did.
func DockerLookup(ctx context.Context, repo name.Repository, timeout time.Duration) (cfg authn.AuthConfig, source string, ok bool, err error) {
	cf, err := config.Load(os.Getenv("DOCKER_CONFIG"))
	if err != nil {
		return cfg, "", false, err
	}
	for _, key := range []string{repo.String(), dockerConfigKey(repo)} {
		ac, fromEnv, err := getAuthConfig(ctx, cf, key, timeout)
		if err != nil {
			return cfg, "", false, err
		}
		ac.ServerAddress = ""
		if ac != (types.AuthConfig{}) {
			if fromEnv {
				source = envSource
			}
			return authn.AuthConfig{Username: ac.Username, Password: ac.Password, Auth: ac.Auth, IdentityToken: ac.IdentityToken, RegistryToken: ac.RegistryToken}, source, true, nil
		}
	}
	return cfg, "", false, nil
}
