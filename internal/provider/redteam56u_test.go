package provider

import (
	"strings"
	"testing"
)

// The provider's own checks of a flavor, platform, tag or duration say
// what to write for the slips a platform engineer makes.
func TestRedteam56uValidatorsSayWhatToWrite(t *testing.T) {
	const digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for _, c := range []struct {
		v        stringCheck
		in, want string
	}{
		{pinFlavorValidator, "k8s", `flavor "k8s" is not a Prefect image flavor: write "kubernetes"`},
		{pinFlavorValidator, "K8s", `write "kubernetes"`},
		{pinFlavorValidator, "-conda", `flavor "-conda" is not a Prefect image flavor: write "conda", without the tag's hyphen`},
		{pinFlavorValidator, "kubernetes-conda", `Prefect publishes no image that is both; write one of "standard", "conda" or "kubernetes"`},
		{pinFlavorValidator, "Conda", `write "conda"`},
		{pinPlatformValidator, "amd64", `platform "amd64" is not os/arch or os/arch/variant: it names an architecture alone; write "linux/amd64"`},
		{pinPlatformValidator, "x86_64", `write "linux/amd64"`},
		{pinPlatformValidator, "arm64", `write "linux/arm64"`},
		{pinPlatformValidator, "linux/arm64/", `platform "linux/arm64/" has a slash at its start or end: write "linux/arm64"`},
		{pinPlatformValidator, "/linux/amd64", `write "linux/amd64"`},
		{pinPlatformValidator, "linux/amd64,linux/arm64", `platform takes one platform, in lower case, such as linux/amd64; for several the image must provide, write required_platforms = ["linux/amd64", "linux/arm64"]`},
		{pinTagValidator, "3.1.15-python3.12@" + digest, `is not an image tag: write the tag alone, "3.1.15-python3.12", without a repository, a digest or white space around it`},
		{pinTagValidator, "prefecthq/prefect:3.1.15-python3.12", `write the tag alone, "3.1.15-python3.12"`},
		{pinTagValidator, "docker.io/prefecthq/prefect:3-latest@" + digest, `write the tag alone, "3-latest"`},
		{pinTagValidator, " 3-latest", `write the tag alone, "3-latest"`},
		{pinTagValidator, "127.0.0.1:5000/prefecthq/prefect", `write only the tag (3-latest), not the repository or a digest`},
		{pinTagValidator, "registry.internal:5000", `write only the tag (3-latest), not the repository or a digest`},
		{durationValidator, "5", `"5" is not a positive duration: a duration needs a unit; write it like "30s" or "2m", here "5s" for seconds or "5m" for minutes`},
		{durationValidator, "5 m", `"5 m" is not a positive duration: a duration has no white space; write "5m"`},
		// Every refusal shows the form, as FuzzDurationValidator asks.
		{durationValidator, "1 s", `write "1s", like "30s" or "2m"`},
		{durationValidator, "0s", `"0s" is not a positive duration; write it like "30s" or "2m"`},
		{durationValidator, "-1m", `"-1m" is not a positive duration; write it like "30s" or "2m"`},
		{durationValidator, "0", `"0" is not a positive duration; write it like "30s" or "2m"`},
	} {
		err := c.v.check(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: %v\nwant it to contain %s", c.v.summary, c.in, err, c.want)
		}
	}
	for _, c := range []struct {
		v  stringCheck
		in string
	}{
		{pinPlatformValidator, "linux/arm64/v8"}, {pinTagValidator, "3.1.15-python3.12"}, {durationValidator, "1h1h"}, {pinFlavorValidator, "kubernetes"},
	} {
		if err := c.v.check(c.in); err != nil {
			t.Errorf("%q: %v", c.in, err)
		}
	}
}
