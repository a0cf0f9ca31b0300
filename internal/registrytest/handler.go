package registrytest

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// handler builds the server's handler: counting and the request log, latency,
// the caller's middlewares, authentication, then routes.
func (r *Registry) handler() http.Handler {
	var h http.Handler = http.HandlerFunc(r.route)
	h = r.authenticate(h)
	for i := len(r.cfg.middleware) - 1; i >= 0; i-- {
		h = r.cfg.middleware[i](h)
	}
	if d := r.cfg.latency; d > 0 {
		next := h
		h = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				next.ServeHTTP(w, req)
			case <-req.Context().Done():
			}
		})
	}
	next := h
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.record(req)
		next.ServeHTTP(w, req)
	})
}

// record counts req and appends it to the request log.
func (r *Registry) record(req *http.Request) {
	line := req.Method + " " + req.URL.EscapedPath()
	if req.URL.RawQuery != "" {
		line += "?" + req.URL.RawQuery
	}
	kind := KindOf(req)
	r.countMu.Lock()
	defer r.countMu.Unlock()
	r.requests = append(r.requests, line)
	switch kind {
	case "ping":
		r.counts.Ping++
	case "token":
		r.counts.Token++
	case "list":
		r.counts.ListPage++
	case "head":
		r.counts.Head++
	case "get":
		r.counts.Get++
	case "blob":
		r.counts.Blob++
	default:
		r.counts.Other++
	}
}

// KindOf classifies a request as Counts counts it: "ping", "token", "list"
// (a tag list page), "head" and "get" (manifests), "blob" or "other".
func KindOf(req *http.Request) string {
	p := parsePath(req.URL.Path)
	switch {
	case p.kind == kindPing && (req.Method == http.MethodGet || req.Method == http.MethodHead):
		return "ping"
	case p.kind == kindToken:
		return "token"
	case p.kind == kindTags && req.Method == http.MethodGet:
		return "list"
	case p.kind == kindManifest && req.Method == http.MethodHead:
		return "head"
	case p.kind == kindManifest && req.Method == http.MethodGet:
		return "get"
	case p.kind == kindBlob:
		return "blob"
	default:
		return "other"
	}
}

// route serves an authenticated request.
func (r *Registry) route(w http.ResponseWriter, req *http.Request) {
	p := parsePath(req.URL.Path)
	switch {
	case p.kind == kindToken:
		r.serveToken(w, req)
	case p.kind == kindTags && req.Method == http.MethodGet:
		r.serveTags(w, req, p.repo)
	case p.kind == kindManifest && (req.Method == http.MethodPut || req.Method == http.MethodDelete):
		r.serveManifestChange(w, req, p)
	default:
		r.inner.ServeHTTP(w, req)
	}
}

// serveManifestChange passes a manifest PUT or DELETE to the inner registry
// and keeps the tag index in step with it.
func (r *Registry) serveManifestChange(w http.ResponseWriter, req *http.Request, p path) {
	r.mut.Lock()
	defer r.mut.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	r.inner.ServeHTTP(sw, req)
	r.noteManifestChange(req.Method, p.repo, p.ref, sw.status)
}

// noteManifestChange updates the tag index after the inner registry answered
// a manifest PUT or DELETE with status. Callers hold r.mut.
func (r *Registry) noteManifestChange(method, repo, ref string, status int) {
	isTag := !strings.Contains(ref, ":")
	switch {
	case method == http.MethodPut && status == http.StatusCreated:
		if isTag {
			r.addTags(repo, []string{ref})
		} else {
			r.addTags(repo, nil)
		}
	case method == http.MethodDelete && status == http.StatusAccepted && isTag:
		r.removeTag(repo, ref)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// authenticate enforces WithBasicAuth or WithBearerAuth on /v2 and below.
func (r *Registry) authenticate(next http.Handler) http.Handler {
	if !r.cfg.basic && !r.cfg.bearer {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := parsePath(req.URL.Path)
		if p.kind == kindToken || !p.v2 {
			next.ServeHTTP(w, req)
			return
		}
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		if r.cfg.basic {
			if r.basicOK(req) {
				next.ServeHTTP(w, req)
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
			return
		}
		if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(tok), []byte(r.token)) == 1 {
			next.ServeHTTP(w, req)
			return
		}
		challenge := fmt.Sprintf(`Bearer realm="%s/token",service="registrytest"`, r.URL())
		if p.repo != "" {
			challenge += fmt.Sprintf(`,scope="repository:%s:pull"`, p.repo)
		}
		w.Header().Set("WWW-Authenticate", challenge)
		writeError(w, http.StatusUnauthorized, "UNAUTHORIZED", "authentication required")
	})
}

func (r *Registry) basicOK(req *http.Request) bool {
	u, pw, ok := req.BasicAuth()
	return ok && r.credentialsOK(u, pw)
}

func (r *Registry) credentialsOK(u, pw string) bool {
	uok := subtle.ConstantTimeCompare([]byte(u), []byte(r.cfg.username)) == 1
	pok := subtle.ConstantTimeCompare([]byte(pw), []byte(r.cfg.password)) == 1
	return uok && pok
}

// serveToken is the token endpoint of WithBearerAuth.
func (r *Registry) serveToken(w http.ResponseWriter, req *http.Request) {
	if !r.cfg.bearer {
		http.NotFound(w, req)
		return
	}
	granted := r.cfg.username == ""
	switch req.Method {
	case http.MethodGet:
		granted = granted || r.basicOK(req)
	case http.MethodPost:
		if err := req.ParseForm(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
			return
		}
		if req.PostForm.Get("grant_type") == "password" {
			granted = granted || r.credentialsOK(req.PostForm.Get("username"), req.PostForm.Get("password"))
		} else {
			granted = granted || r.basicOK(req)
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if !granted {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"details": "incorrect username or password"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"token":        r.token,
		"access_token": r.token,
		"expires_in":   300,
		"issued_at":    time.Now().UTC().Format(time.RFC3339),
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes a Distribution-spec error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	type regErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	writeJSON(w, status, map[string][]regErr{"errors": {{Code: code, Message: message}}})
}

type pathKind int

const (
	kindOther pathKind = iota
	kindPing
	kindToken
	kindTags
	kindManifest
	kindBlob
)

// path is a request path taken apart.
type path struct {
	kind pathKind
	v2   bool   // /v2 or below
	repo string // "prefecthq/prefect", for tags, manifests and blobs
	ref  string // tag or digest, for manifests
}

// parsePath classifies a registry request path.
func parsePath(p string) path {
	if p == "/token" {
		return path{kind: kindToken}
	}
	if p == "/v2" || p == "/v2/" {
		return path{kind: kindPing, v2: true}
	}
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return path{}
	}
	out := path{v2: true}
	if repo, ok := strings.CutSuffix(rest, "/tags/list"); ok && repo != "" {
		out.kind, out.repo = kindTags, repo
		return out
	}
	if i := strings.LastIndex(rest, "/manifests/"); i > 0 {
		ref := rest[i+len("/manifests/"):]
		if ref != "" && !strings.Contains(ref, "/") {
			out.kind, out.repo, out.ref = kindManifest, rest[:i], ref
			return out
		}
	}
	if i := strings.LastIndex(rest, "/blobs/"); i > 0 {
		out.kind, out.repo = kindBlob, rest[:i]
		return out
	}
	if repo, ok := strings.CutSuffix(rest, "/blobs/uploads"); ok && repo != "" {
		out.kind, out.repo = kindBlob, repo
		return out
	}
	if i := strings.LastIndex(rest, "/referrers/"); i > 0 {
		out.repo = rest[:i] // for the bearer scope
	}
	return out
}
