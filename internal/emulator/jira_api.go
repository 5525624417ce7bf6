package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Jira's own REST API, /rest/api/2, which the emulator serves on every
// product type (Inferred) because tests need it everywhere: whom a request
// acts as, and the base URL setting. Its errors are Jira's ErrorCollection
// (error_entities.go).

// ---- /myself ----

// myselfEntity is the part of Jira's user bean callers use. Inferred: the
// key and display name equal the user name, as for users created before
// Jira 7's user keys.
type myselfEntity struct {
	Self        string `json:"self"`
	Key         string `json:"key"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`
}

func serveMyself(ex *exchange) {
	name := ex.user.name
	writeEntity(ex, http.StatusOK, myselfEntity{
		Self:        ex.restURL("/user?username=" + url.QueryEscape(name)),
		Key:         name,
		Name:        name,
		DisplayName: name,
		Active:      true,
	})
}

// ---- /user ----

// getUser is Jira's user lookup, GET /user?username=NAME: the user bean,
// or 404 with Jira's ErrorCollection naming the user. The provider asks it
// whether a consumer's execute_as exists, which the consumer API does not
// check (design/api.md §6.1). Inferred: the message text; 400 without a
// username. Any logged-in user may look users up here.
func getUser(ex *exchange) {
	name := ex.r.URL.Query().Get("username")
	if name == "" {
		writeJiraErrors(ex, http.StatusBadRequest, "The username query parameter was not provided")
		return
	}
	u := ex.inst.users.byName(name)
	if u == nil {
		writeJiraErrors(ex, http.StatusNotFound, "The user named '"+name+"' does not exist")
		return
	}
	writeEntity(ex, http.StatusOK, myselfEntity{
		Self: ex.restURL("/user?username=" + url.QueryEscape(u.name)), Key: u.name, Name: u.name, DisplayName: u.name, Active: true,
	})
}

// ---- Settings ----

// Instance settings. Only the base URL for now: it is what peers see in the
// manifest and consumer info, and changing it is how tests model a product
// moving to a new address.

// msgInvalidBaseURL is Inferred English for Jira's base URL validation.
const msgInvalidBaseURL = "The base URL must be an absolute http or https URL."

// putBaseURL takes a JSON string, e.g. "https://jira.example.com".
// Inferred: success is 204 and an invalid body or URL is 400 with Jira's
// ErrorCollection.
func putBaseURL(ex *exchange) {
	data, err := io.ReadAll(ex.r.Body)
	if err != nil {
		writeJiraErrors(ex, http.StatusBadRequest, msgInvalidBaseURL)
		return
	}
	var baseURL string
	if err := json.Unmarshal(data, &baseURL); err != nil || !isAbsoluteHTTPURL(baseURL) {
		writeJiraErrors(ex, http.StatusBadRequest, msgInvalidBaseURL)
		return
	}
	// Base URLs are reported without a trailing slash.
	baseURL = strings.TrimRight(baseURL, "/")
	if err := ex.inst.store.Update(func(st *state) error {
		st.BaseURL = baseURL
		return nil
	}); err != nil {
		panic(err) // a failed write is the product's uncaught 500
	}
	ex.w.WriteHeader(http.StatusNoContent)
}

func isAbsoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}
