package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The applinks v3 resource /rest/applinks/3.0/applinks (design/api.md §5.1):
// JSON only, RestErrors for every error, permissions checked inside the
// resource (anonymous 401, non-admin 403). There is no create here.

// Inferred English for the v3 i18n keys named beside them.
const (
	msgV3InvalidID             = "'%s' is not a valid application link ID."                      // InvalidApplicationIdException
	msgV3NoSuchApplink         = "No application link with id %s found."                         // NoSuchApplinkException
	msgInvalidRepresentation   = "Invalid or missing value for '%s'."                            // applinks.rest.invalidrepresentation
	msgValidationSystemLink    = "System application links cannot be modified."                  // applinks.service.error.validation.applink.system
	msgValidationMalformedURL  = "The URL is malformed."                                         // ...validation.applink.url.malformed
	msgValidationNonAbsolute   = "The URL must be absolute."                                     // ...validation.applink.url.nonabsolute
	msgValidationDuplicateName = "An application link with the name '%s' already exists."        // ...validation.applink.duplicate.name
	msgValidationDuplicateRPC  = "An application link with this application URL already exists." // ...validation.applink.duplicate.rpcUrl
	msgValidationDuplicateDisp = "An application link with this display URL already exists."     // ...validation.applink.duplicate.displayUrl
)

// restApplicationLink is RestApplicationLink: note "type", "system" and
// "primary", and the rpcUrl even of system links.
type restApplicationLink struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	DisplayURL string `json:"displayUrl"`
	RPCURL     string `json:"rpcUrl"`
	Type       string `json:"type"`
	System     bool   `json:"system"`
	Primary    bool   `json:"primary"`
}

// restExtendedApplicationLink adds the requested properties and data, as
// GET answers.
type restExtendedApplicationLink struct {
	restApplicationLink
	Properties map[string]any `json:"properties"`
	Data       map[string]any `json:"data"`
}

func newRestApplicationLink(l storedLink) restApplicationLink {
	return restApplicationLink{
		ID:         l.ID,
		Name:       l.Name,
		DisplayURL: l.DisplayURL,
		RPCURL:     l.RPCURL,
		Type:       l.TypeID,
		System:     l.System,
		Primary:    l.Primary,
	}
}

// applinkDataProviders answer ?data=<key>. Inferred: the keys that need
// the peer or web fragments (configUrl, webItems, capabilities,
// applicationVersion) are not modelled and, like unknown keys, are null.
var applinkDataProviders = map[string]func(*exchange, storedLink) any{
	"iconUri": func(ex *exchange, l storedLink) any {
		t, ok := linkTypeByID(l.TypeID)
		if !ok {
			return nil
		}
		_, iconURI := typeIcons(ex.inst, t)
		return iconURI
	},
	"atlassian":  func(_ *exchange, l storedLink) any { return l.TypeID != genericTypeID },
	"editable":   func(_ *exchange, l storedLink) any { return !l.System },
	"v3Editable": func(_ *exchange, l storedLink) any { return !l.System },
}

// newRestExtendedApplicationLink fills properties (the emulator stores
// none, so each requested key is null) and data.
func newRestExtendedApplicationLink(ex *exchange, l storedLink) restExtendedApplicationLink {
	query := ex.r.URL.Query()
	e := restExtendedApplicationLink{restApplicationLink: newRestApplicationLink(l), Properties: map[string]any{}, Data: map[string]any{}}
	for _, key := range query["property"] {
		e.Properties[key] = nil
	}
	for _, key := range query["data"] {
		e.Data[key] = nil
		if provide, ok := applinkDataProviders[key]; ok {
			e.Data[key] = provide(ex, l)
		}
	}
	return e
}

// writeServiceError writes a ServiceException the resource throws: a
// RestErrors with the exception's Java toString as details.
func writeServiceError(ex *exchange, status int, exceptionClass, message string) {
	thrown(ex)
	writeRestErrors(ex, status, serviceExceptionError(exceptionClass, message))
}

// applinkV3 is ApplinkHelper.getApplicationLink after
// RestApplicationIdParser.parse: 400 for a malformed id, 404 for an
// unknown one. It reports false once it has answered.
func applinkV3(ex *exchange) (storedLink, bool) {
	id := ex.param("id")
	if !isApplicationID(id) {
		writeServiceError(ex, http.StatusBadRequest, "InvalidApplicationIdException", fmt.Sprintf(msgV3InvalidID, id))
		return storedLink{}, false
	}
	link, ok := ex.inst.link(id)
	if !ok {
		writeServiceError(ex, http.StatusNotFound, "NoSuchApplinkException", fmt.Sprintf(msgV3NoSuchApplink, id))
	}
	return link, ok
}

// listApplinksV3 answers a bare JSON array. The V4_UI OAuth 2.0
// pseudo-links are not modelled.
func listApplinksV3(ex *exchange) {
	list := []restExtendedApplicationLink{}
	for _, l := range ex.inst.links() {
		list = append(list, newRestExtendedApplicationLink(ex, l))
	}
	writeEntity(ex, http.StatusOK, list)
}

func getApplinkV3(ex *exchange) {
	if link, ok := applinkV3(ex); ok {
		writeEntity(ex, http.StatusOK, newRestExtendedApplicationLink(ex, link))
	}
}

// restApplicationLinkInput is the PUT body; absent fields are nil.
type restApplicationLinkInput struct {
	Name       *string `json:"name"`
	RPCURL     *string `json:"rpcUrl"`
	DisplayURL *string `json:"displayUrl"`
	Primary    bool    `json:"primary"`
}

// toDetails is RestApplicationLink.toDetails: name, rpcUrl and displayUrl
// are all required; the first missing one is the 400's context.
func (in restApplicationLinkInput) toDetails() (linkDetails, string) {
	for _, field := range []struct {
		name  string
		value *string
	}{{"name", in.Name}, {"rpcUrl", in.RPCURL}, {"displayUrl", in.DisplayURL}} {
		if field.value == nil || field.name == "name" && strings.TrimSpace(*field.value) == "" {
			return linkDetails{}, field.name
		}
	}
	return linkDetails{name: *in.Name, rpcURL: *in.RPCURL, displayURL: *in.DisplayURL, primary: in.Primary}, ""
}

// updateApplinkV3 is the one plain update that may change the rpcUrl: no
// reachability check, only DefaultApplinkValidationService's rules, all
// reported together. primary:true makes the link primary; false leaves
// the flag alone.
func updateApplinkV3(ex *exchange) {
	var in restApplicationLinkInput
	readEntity(ex, &in)
	id := ex.param("id")
	if !isApplicationID(id) {
		writeServiceError(ex, http.StatusBadRequest, "InvalidApplicationIdException", fmt.Sprintf(msgV3InvalidID, id))
		return
	}
	d, missing := in.toDetails()
	if missing != "" {
		thrown(ex)
		writeRestErrors(ex, http.StatusBadRequest, restError{Context: missing, Summary: fmt.Sprintf(msgInvalidRepresentation, missing)})
		return
	}
	var updated storedLink
	if !updateState(ex, func(st *state) error {
		link := st.linkByID(id)
		if link == nil {
			return refuse(func(ex *exchange) {
				writeServiceError(ex, http.StatusNotFound, "NoSuchApplinkException", fmt.Sprintf(msgV3NoSuchApplink, id))
			})
		}
		if errs := validateApplinkUpdate(st, link, d); len(errs) > 0 {
			return refuse(func(ex *exchange) {
				thrown(ex)
				writeRestErrors(ex, http.StatusBadRequest, errs...)
			})
		}
		if d.primary {
			makePrimary(st, id)
		}
		updateLinkDetails(link, d)
		updated = link.clone()
		return nil
	}) {
		return
	}
	writeEntity(ex, http.StatusOK, newRestApplicationLink(updated))
}

// validateApplinkUpdate is DefaultApplinkValidationService.validateUpdate.
func validateApplinkUpdate(st *state, link *storedLink, d linkDetails) []restError {
	var errs []restError
	if link.System {
		errs = append(errs, restError{Summary: msgValidationSystemLink})
	}
	errs = append(errs, validateApplinkURL("rpcUrl", d.rpcURL)...)
	errs = append(errs, validateApplinkURL("displayUrl", d.displayURL)...)
	others := slices.DeleteFunc(slices.Clone(st.Links), func(l storedLink) bool { return l.ID == link.ID })
	for _, check := range []struct {
		context, summary string
		clash            func(storedLink) bool
	}{
		{"name", fmt.Sprintf(msgValidationDuplicateName, d.name), func(l storedLink) bool { return l.Name == d.name }},
		{"rpcUrl", msgValidationDuplicateRPC, func(l storedLink) bool { return l.RPCURL == d.rpcURL }},
		{"displayUrl", msgValidationDuplicateDisp, func(l storedLink) bool { return l.DisplayURL == d.displayURL }},
	} {
		if slices.ContainsFunc(others, check.clash) {
			errs = append(errs, restError{Context: check.context, Summary: check.summary})
		}
	}
	return errs
}

// javaURLSchemes are the protocols java.net.URL has handlers for; others
// are a MalformedURLException.
var javaURLSchemes = []string{"http", "https", "ftp", "file", "jar", "mailto"}

// validateApplinkURL is validateUri: a blank value fails twice (blank,
// then not absolute), as the product checks both.
func validateApplinkURL(context, raw string) []restError {
	var errs []restError
	if strings.TrimSpace(raw) == "" {
		errs = append(errs, restError{Context: context, Summary: fmt.Sprintf(msgInvalidRepresentation, context)})
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		errs = append(errs, restError{Context: context, Summary: msgValidationMalformedURL})
	case !u.IsAbs():
		errs = append(errs, restError{Context: context, Summary: msgValidationNonAbsolute})
	case !slices.Contains(javaURLSchemes, strings.ToLower(u.Scheme)):
		errs = append(errs, restError{Context: context, Summary: msgValidationMalformedURL})
	}
	return errs
}

// deleteApplinkV3 deletes locally only and answers 204.
func deleteApplinkV3(ex *exchange) {
	link, ok := applinkV3(ex)
	if !ok {
		return
	}
	updateState(ex, func(st *state) error {
		deleteLink(st, link.ID)
		return nil
	})
	ex.w.WriteHeader(http.StatusNoContent)
}
