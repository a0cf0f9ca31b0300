package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxTagPages bounds one listing: 100,000 pages is far beyond any real
// repository and stops a registry that pages forever.
const maxTagPages = 100000

// ListTags returns every tag of the repository, read to the last page
// (Link headers, n and last), de-duplicated and sorted. The result is
// memoized per normalized repository for the Client's lifetime; concurrent
// callers wait for the one listing, and failures are not cached. The
// returned slice is the caller's own.
func (c *Client) ListTags(ctx context.Context, repository string) ([]string, error) {
	const action = "list tags"
	ref, err := c.parseRepository(repository)
	if err != nil {
		return nil, invalid(repository, action, err)
	}
	tags, err := c.tagLists.get(ctx, ref.key, func(ctx context.Context) ([]string, error) {
		rt, err := c.transportFor(ctx, ref)
		if err != nil {
			return nil, err
		}
		tags, err := c.readTagRange(ctx, ref, rt, "", "")
		if err != nil {
			return nil, err
		}
		slices.Sort(tags)
		return slices.Compact(tags), nil
	})
	if err != nil {
		return nil, c.fail(ref, action, err)
	}
	return append(make([]string, 0, len(tags)), tags...), nil
}

// readTagRange reads the tag list of the repository from the page after
// `from` (the `last` parameter; "" for the first page) until the registry
// has no more pages, or until a page reaches `until` ("" for no bound). It
// returns the tags read that sort after from and before until, in the
// registry's order.
//
// It follows Link headers (relative or absolute, same host only, never a
// URL already read). For registries that send no Link, a full page (n tags)
// is followed by a request with last set to its last tag; an empty or short
// page ends the listing, and so does a page that starts over once the
// registry has honoured last before; one that never honours last is an
// error rather than a silently truncated list. A page of more than n tags
// without Link is the registry's whole list: CNCF distribution 2.x ignores
// n and last and answers every tag at once, unsorted.
//
// A range touches no shared state, so several [from, until) ranges can be
// read concurrently and concatenated, relying on the registry's lexical tag
// order as the distribution specification requires.
func (c *Client) readTagRange(ctx context.Context, ref repoRef, rt *repoTransport, from, until string) ([]string, error) {
	n := c.pageSize
	next := c.tagsURL(ref, n, from)
	read := map[string]bool{}
	last := from
	advanced := false // a page asked for with last moved past it
	var out []string
	for pages := 0; ; pages++ {
		if pages >= maxTagPages {
			return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the tag list did not end after %d pages", maxTagPages)}
		}
		key := pageKey(next)
		if read[key] {
			return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry's Link header leads back to a page already read (%s), so paging stopped to avoid a loop", next.RequestURI())}
		}
		read[key] = true

		tags, link, err := c.readTagPage(ctx, ref, rt, next)
		if err != nil {
			return nil, err
		}
		reached := false
		for _, t := range tags {
			if from != "" && t <= from {
				// A registry that ignores last (CNCF distribution 2.x)
				// sends tags before the range too.
				continue
			}
			if until != "" && t >= until {
				reached = true
				continue
			}
			out = append(out, t)
		}
		switch {
		case reached:
			return out, nil
		case link != nil:
			next = link
		case len(tags) > n:
			// More than n tags and no Link: the registry ignores n and
			// sent its whole list at once, as CNCF distribution 2.x (the
			// registry:2 image, Debian's docker-registry) does, unsorted.
			return out, nil
		case len(tags) == 0 || len(tags) < n:
			return out, nil
		default:
			lt := tags[len(tags)-1]
			if last != "" && lt <= last {
				if advanced {
					// The registry honoured last before and started over
					// once past the end, as go-containerregistry's
					// pkg/registry does: the listing is complete.
					return out, nil
				}
				return nil, &answerError{status: http.StatusOK, msg: fmt.Sprintf("the registry ignores the last parameter of its tag list (the page after %q started over at %q) and sends no Link header, so the full list cannot be read", last, tags[0])}
			}
			if last != "" {
				advanced = true
			}
			last = lt
			next = c.tagsURL(ref, n, lt)
		}
	}
}

// readTagPage reads one page of the tag list and resolves its next Link.
func (c *Client) readTagPage(ctx context.Context, ref repoRef, rt *repoTransport, u *url.URL) ([]string, *url.URL, error) {
	resp, err := c.fetch(ctx, ref, rt, http.MethodGet, u.String(), []string{"application/json"})
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(resp.body, &page); err != nil {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the tag list at %s is not valid JSON", u.RequestURI()), cause: err}
	}
	tags := page.Tags[:0]
	for _, t := range page.Tags {
		if t != "" {
			tags = append(tags, t)
		}
	}
	link, ok := nextLink(resp.header.Values("Link"))
	if !ok {
		return tags, nil, nil
	}
	next, err := resp.url.Parse(link)
	if err != nil {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not a URL", link), cause: err}
	}
	if next.Scheme != "http" && next.Scheme != "https" {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header %q is not an HTTP URL, so paging stopped", link)}
	}
	if !sameHost(next.Host, next.Scheme, ref.repo.RegistryStr(), resp.url.Scheme) {
		return nil, nil, &answerError{status: resp.status, msg: fmt.Sprintf("the registry's Link header points to another host (%s), which is refused; only pages on %s are read", next.Host, ref.registry)}
	}
	return tags, next, nil
}

// tagsURL is the tag list URL asking for n tags after last. The scheme is
// corrected to the one the ping found by go-containerregistry's transport.
func (c *Client) tagsURL(ref repoRef, n int, last string) *url.URL {
	q := url.Values{}
	q.Set("n", strconv.Itoa(n))
	if last != "" {
		q.Set("last", last)
	}
	return &url.URL{
		Scheme:   "https",
		Host:     ref.repo.RegistryStr(),
		Path:     "/v2/" + ref.repo.RepositoryStr() + "/tags/list",
		RawQuery: q.Encode(),
	}
}

// pageKey identifies a page whatever the scheme, host spelling or order of
// query parameters.
func pageKey(u *url.URL) string {
	return u.Path + "?" + u.Query().Encode()
}

// nextLink finds the rel="next" target in Link header values (RFC 8288).
func nextLink(values []string) (string, bool) {
	for _, v := range values {
		for v != "" {
			start := strings.IndexByte(v, '<')
			if start < 0 {
				break
			}
			end := strings.IndexByte(v[start:], '>')
			if end < 0 {
				break
			}
			target := v[start+1 : start+end]
			rest := v[start+end+1:]
			params := rest
			if i := strings.IndexByte(rest, '<'); i >= 0 {
				params = rest[:i]
			}
			for _, p := range strings.Split(params, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target, true
					}
				}
			}
			v = rest
		}
	}
	return "", false
}

// sameHost compares two hosts, folding Docker Hub's names and default
// ports.
func sameHost(a, schemeA, b, schemeB string) bool {
	return canonicalHost(a, schemeA) == canonicalHost(b, schemeB)
}

func canonicalHost(h, scheme string) string {
	k, err := normalizeHostPort(h)
	if err != nil {
		return h
	}
	if host, port, err := net.SplitHostPort(k); err == nil {
		if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
			return bracketHost(host)
		}
	}
	return k
}
