// The Go conformance agent: performs the harness's instructions with the generated Go SDK
// (courier.dev/courier) and reports what the guest saw. The protocol is conformance/PROTOCOL.md:
// POST …/run runs an instruction, …/proxy forwards the inbound request, anything else is
// described back (inspect).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	courier "courier.dev/courier"
)

func init() {
	courier.Handle(handle)
}

// main is never called: the component is a reactor whose entry point is the exported handler.
func main() {}

func handle(w http.ResponseWriter, r *http.Request) {
	route := r.URL.Path
	switch {
	case strings.HasSuffix(route, "/run") && r.Method == http.MethodPost:
		run(w, r)
	case strings.HasSuffix(route, "/proxy"):
		proxy(w, r)
	default:
		inspect(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func run(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "cannot read the instruction: "+err.Error(), http.StatusBadRequest)
		return
	}
	var in instruction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "bad instruction: "+err.Error(), http.StatusBadRequest)
		return
	}
	// The /run request's own framing is not the outbound request's: its body is not forwarded.
	inbound := r.Header.Clone()
	inbound.Del("Content-Length")
	inbound.Del("Transfer-Encoding")
	verdicts := make([]map[string]any, len(in.Steps))
	if in.Concurrent {
		var wg sync.WaitGroup
		for i := range in.Steps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				verdicts[i] = perform(&in.Steps[i], inbound)
			}()
		}
		wg.Wait()
	} else {
		for i := range in.Steps {
			verdicts[i] = perform(&in.Steps[i], inbound)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"steps": verdicts})
}

func proxy(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("Courier-Target")
	if target == "" {
		http.Error(w, "the proxy entry needs a courier-target header", http.StatusBadRequest)
		return
	}
	u, err := parseURL(target)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, errorVerdict(err, "request", 0, -1))
		return
	}
	// r.Trailer holds the declared trailer names now and their values once the body is read,
	// which is when the SDK sends out.Trailer: the same map.
	out := &http.Request{Method: r.Method, URL: u, Header: http.Header{}, ContentLength: r.ContentLength, Trailer: r.Trailer}
	for name, values := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "courier-") {
			continue
		}
		out.Header[name] = values
	}
	if r.ContentLength != 0 {
		out.Body = r.Body
	}
	resp, err := courier.Send(out)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, errorVerdict(err, "response", 0, -1))
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, errorVerdict(err, "body-read", resp.StatusCode, -1))
		return
	}
	for name, values := range resp.Header {
		w.Header()[name] = values
	}
	// The body is read, so every trailer name is known: announce them before the head, as
	// httputil.ReverseProxy does, then set their values after the body.
	if w.Header().Get("Trailer") == "" {
		for name := range resp.Trailer {
			w.Header().Add("Trailer", name)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	for name, values := range resp.Trailer {
		w.Header()[name] = values
	}
}

func inspect(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sum := sha256.Sum256(body)
	v := map[string]any{
		"method":      r.Method,
		"path":        r.RequestURI,
		"headers":     headerPairs(r.Header),
		"body_len":    len(body),
		"body_sha256": hex.EncodeToString(sum[:]),
	}
	if len(body) <= 64*1024 && utf8.Valid(body) {
		v["body"] = string(body)
	}
	writeJSON(w, http.StatusOK, v)
}

// headerPairs lists a header as [name, value] pairs: names sorted, lower-case, repeated
// values in order.
func headerPairs(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	pairs := [][2]string{}
	for _, name := range names {
		for _, v := range h[name] {
			pairs = append(pairs, [2]string{strings.ToLower(name), v})
		}
	}
	return pairs
}
