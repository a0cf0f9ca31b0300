package registrytest

import (
	"encoding/base64"
	"math"
	"net/http"
	"net/url"
	pathpkg "path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// repoTags is the tag index of one repository. pkg/registry keeps tags and
// digests in one map and sorts them on every tags/list request, with neither
// paging links nor a cap; this index lets the wrapper serve tags/list itself.
type repoTags struct {
	set     map[string]struct{}
	sorted  []string               // nil when stale; never modified in place once built
	ordered map[*Registry]ordering // each WithOrder of the registries sharing it; nil when stale
}

// ordering is a repository's tags in one registry's WithOrder order, and
// each tag's place in it.
type ordering struct {
	tags  []string
	index map[string]int
}

// addTags records tags for repo, creating the repository entry even when
// tags is empty (a manifest pushed by digest only).
func (r *Registry) addTags(repo string, tags []string) {
	r.tagsMu.Lock()
	defer r.tagsMu.Unlock()
	rt := r.repos[repo]
	if rt == nil {
		rt = &repoTags{set: make(map[string]struct{}, len(tags))}
		r.repos[repo] = rt
	}
	for _, t := range tags {
		if _, ok := rt.set[t]; !ok {
			rt.set[t] = struct{}{}
			rt.sorted, rt.ordered = nil, nil
		}
	}
}

func (r *Registry) removeTag(repo, tag string) {
	r.tagsMu.Lock()
	defer r.tagsMu.Unlock()
	if rt := r.repos[repo]; rt != nil {
		if _, ok := rt.set[tag]; ok {
			delete(rt.set, tag)
			rt.sorted, rt.ordered = nil, nil
		}
	}
}

// sortedTags returns repo's tags in lexical order, and false when the
// repository does not exist. The slice must not be modified.
func (r *Registry) sortedTags(repo string) ([]string, bool) {
	r.tagsMu.RLock()
	rt := r.repos[repo]
	if rt == nil {
		r.tagsMu.RUnlock()
		return nil, false
	}
	if s := rt.sorted; s != nil {
		r.tagsMu.RUnlock()
		return s, true
	}
	r.tagsMu.RUnlock()

	r.tagsMu.Lock()
	defer r.tagsMu.Unlock()
	if rt.sorted == nil {
		s := make([]string, 0, len(rt.set))
		for t := range rt.set {
			s = append(s, t)
		}
		slices.Sort(s)
		rt.sorted = s
	}
	return rt.sorted, true
}

// orderedTags returns repo's tags in WithOrder's order, and each tag's
// place in it, computed once per change of the repository.
func (r *Registry) orderedTags(repo string, sorted []string) ([]string, map[string]int) {
	r.tagsMu.Lock()
	defer r.tagsMu.Unlock()
	rt := r.repos[repo]
	o, ok := rt.ordered[r]
	if !ok {
		o.tags = r.cfg.order(slices.Clone(sorted))
		o.index = make(map[string]int, len(o.tags))
		for i, t := range o.tags {
			o.index[t] = i
		}
		if rt.ordered == nil {
			rt.ordered = map[*Registry]ordering{}
		}
		rt.ordered[r] = o
	}
	return o.tags, o.index
}

// serveTags answers GET /v2/<repo>/tags/list as the Distribution spec says:
// tags in lexical order, strictly after `last`, at most n (the default page
// size when n is absent, capped at the maximum), with a Link header to the
// next page while tags remain. See WithIgnoreLast and WithCursorPaging for the
// variants.
func (r *Registry) serveTags(w http.ResponseWriter, req *http.Request, repo string) {
	q := req.URL.Query()
	n := r.cfg.defaultPageSize
	ns := q.Get("n")
	if ns != "" {
		v, err := strconv.Atoi(ns)
		if err != nil || v < 0 {
			writeError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid number of results requested: "+strconv.Quote(ns))
			return
		}
		n = v
	}
	n = min(n, r.cfg.maxPageSize)
	if ns == "" && r.cfg.allWithout {
		n = math.MaxInt
	}

	tags, ok := r.sortedTags(repo)
	if !ok {
		writeError(w, http.StatusNotFound, "NAME_UNKNOWN", "repository name not known to registry")
		return
	}
	last := q.Get("last")
	if r.cfg.rejectLast && last != "" {
		if i, found := slices.BinarySearch(tags, last); !found || tags[i] != last {
			writeError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "last is not a tag")
			return
		}
	}
	var index map[string]int
	if r.cfg.order != nil {
		tags, index = r.orderedTags(repo, tags)
	}
	if r.cfg.wholeList {
		n = len(tags)
	}

	start := 0
	switch {
	case r.cfg.wholeList:
	case r.cfg.order != nil && r.cfg.boundLast && !r.cfg.cursor && !r.cfg.ignoreLast:
		if last != "" {
			sent := func(t string) bool { return t > last }
			if r.cfg.lastAsPath {
				sent = func(t string) bool { return afterAsStoragePath(t, last) }
			}
			tags = slices.DeleteFunc(slices.Clone(tags), func(t string) bool { return !sent(t) })
		}
	case r.cfg.order != nil && !r.cfg.cursor && !r.cfg.ignoreLast:
		if i, ok := index[last]; ok {
			start = i + 1
		}
	case r.cfg.cursor:
		if c := q.Get("cursor"); c != "" {
			last, err := base64.RawURLEncoding.DecodeString(c)
			if err != nil {
				writeError(w, http.StatusBadRequest, "PAGINATION_NUMBER_INVALID", "invalid cursor")
				return
			}
			start = after(tags, string(last))
		}
	case r.cfg.ignoreLast:
	default:
		if last != "" {
			start = after(tags, last)
			if i := start - 1; r.cfg.skipPast && (i < 0 || tags[i] != last) {
				start = min(start+1, len(tags))
			}
		}
	}
	end := start + min(n, len(tags)-start)
	page := tags[start:end]

	if (end < len(tags) || r.cfg.linkFull && len(page) == n) && n > 0 && !r.cfg.noLink {
		lastOnPage := page[len(page)-1]
		var next string
		if r.cfg.cursor {
			next = "/v2/" + repo + "/tags/list?n=" + strconv.Itoa(n) + "&cursor=" +
				base64.RawURLEncoding.EncodeToString([]byte(lastOnPage))
		} else {
			next = "/v2/" + repo + "/tags/list?last=" + url.QueryEscape(lastOnPage) + "&n=" + strconv.Itoa(n)
		}
		w.Header().Set("Link", "<"+next+`>; rel="next"`)
	}
	writeJSON(w, http.StatusOK, struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}{repo, page})
}

// after returns the index of the first tag strictly greater than last.
func after(tags []string, last string) int {
	return sort.Search(len(tags), func(i int) bool { return tags[i] > last })
}

// afterAsStoragePath reports whether distribution v3.1's S3 walk sends tag
// on a page after last (tagstore.go): its key "<tag>/current/link" sorts
// after the path of last, where ListObjectsV2 starts (StartAfter), and
// the tag sorts after last with a '/' in it compared below every other
// byte (lessPath). For a last without '/' that is tag > last; "/~" is
// answered with no tags, "2.20.10/" from "2.20.10-python3.10" on, as its
// binary answers.
func afterAsStoragePath(tag, last string) bool {
	return "tags/"+tag+"/current/link" > pathpkg.Join("tags", last) &&
		tag > strings.ReplaceAll(last, "/", "\x00")
}
