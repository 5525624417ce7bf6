package emulator

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// The error bodies (design/api.md §1.5): the REST module's Status and
// uncaught-exception entities, applinks' ErrorListEntity and RestErrors, the
// XSRF failure, Jira's ErrorCollection and the servlet container's HTML
// error page.

// ---- Error body families ----

// statusEntity is the REST module's Status (family 1 of design/api.md §1.5).
type statusEntity struct {
	StatusCode       int          `json:"status-code"`
	Message          *string      `json:"message,omitzero"`
	ResourcesCreated []linkEntity `json:"resources-created,omitzero"`
	ResourcesUpdated []linkEntity `json:"resources-updated,omitzero"`
}

// linkEntity is the REST module's Link; in XML its fields are attributes.
type linkEntity struct {
	Href string `xml:"href,attr" json:"href"`
	Rel  string `xml:"rel,attr" json:"rel"`
}

// MarshalXML writes JAXB's form of Status: the link lists are wrapped
// (<resources-created><link href=".." rel=".."/></resources-created>) and,
// like every null field, left out when absent.
func (s statusEntity) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	type linkList struct {
		Links []linkEntity `xml:"link"`
	}
	wrap := func(links []linkEntity) *linkList {
		if links == nil {
			return nil
		}
		return &linkList{Links: links}
	}
	return e.Encode(struct {
		XMLName          xml.Name  `xml:"status"`
		StatusCode       int       `xml:"status-code"`
		Message          *string   `xml:"message,omitempty"`
		ResourcesCreated *linkList `xml:"resources-created,omitempty"`
		ResourcesUpdated *linkList `xml:"resources-updated,omitempty"`
	}{
		StatusCode:       s.StatusCode,
		Message:          s.Message,
		ResourcesCreated: wrap(s.ResourcesCreated),
		ResourcesUpdated: wrap(s.ResourcesUpdated),
	})
}

// newStatus builds a Status with a message; statusEntity{StatusCode: c}
// is the message-less form (e.g. RestUtil.ok()).
func newStatus(code int, message string) statusEntity {
	return statusEntity{StatusCode: code, Message: &message}
}

// writeStatus writes a Status a resource or interceptor returns (RestUtil):
// it follows the route's negotiated representation. No Location header is
// set, even with resources-created, as RestUtil builds the response itself.
func writeStatus(ex *exchange, s statusEntity) {
	writeEntity(ex, s.StatusCode, s)
}

// writeMappedStatus writes a Status produced by the REST module's exception
// mappers (security exceptions, Jersey's not-found): those choose XML or
// JSON from Accept alone and keep the builder's default CacheControl,
// which JAX-RS renders as "no-transform".
func writeMappedStatus(ex *exchange, s statusEntity) {
	ex.w.Header().Set("Cache-Control", "no-transform")
	writeBody(ex, variantFor(ex.accept, mediaTypeXML, mediaTypeJSON), s.StatusCode, s)
}

// errorListEntity is applinks' ErrorListEntity (family 2): v1/v2
// validation errors.
type errorListEntity struct {
	XMLName  xml.Name `xml:"error" json:"-"`
	Status   int      `xml:"status,attr" json:"status"`
	Messages []string `xml:"message" json:"message"`
	Fields   []string `xml:"fields,omitempty" json:"fields,omitzero"`
}

// writeErrorList writes an ErrorListEntity; fields is nil except for form
// errors.
func writeErrorList(ex *exchange, status int, messages, fields []string) {
	if messages == nil {
		messages = []string{}
	}
	writeEntity(ex, status, errorListEntity{Status: status, Messages: messages, Fields: fields})
}

// restErrorsEntity is applinks v3's RestErrors (family 3), JSON only.
type restErrorsEntity struct {
	Status int         `json:"status"`
	Errors []restError `json:"errors"`
}

// restError is one RestErrors entry. Details is a list of lines for
// detailed errors and the Java exception's toString for plain ones.
type restError struct {
	Summary string `json:"summary"`
	Context string `json:"context,omitempty"`
	Details any    `json:"details,omitzero"`
}

// serviceExceptionError is the RestError a v3 ServiceException becomes: it
// is not a DetailedError, so the details are its Java toString.
func serviceExceptionError(exceptionClass, message string) restError {
	return restError{
		Summary: message,
		Details: "com.atlassian.applinks.internal.common.exception." + exceptionClass + ": " + message,
	}
}

func writeRestErrors(ex *exchange, status int, errs ...restError) {
	if errs == nil {
		errs = []restError{}
	}
	writeBody(ex, mediaTypeJSON, status, restErrorsEntity{Status: status, Errors: errs})
}

// uncaughtExceptionEntity is the REST module's UncaughtExceptionEntity
// (family 4).
type uncaughtExceptionEntity struct {
	XMLName    xml.Name `xml:"status" json:"-"`
	StatusCode int      `xml:"status-code" json:"status-code"`
	Message    *string  `xml:"message,omitempty" json:"message,omitzero"`
	StackTrace string   `xml:"stack-trace" json:"stack-trace"`
}

// writeUncaughtException answers an exception no resource handled. Its
// variants include text/plain, rendered by the entity's toString, whose
// missing closing quote is the product's.
func writeUncaughtException(ex *exchange, message string) {
	// The doubled apostrophe in "Log''s" is the product's too (a
	// MessageFormat-style escape in a plain string).
	referral, err := newRandomUUID()
	if err != nil {
		referral = "00000000-0000-0000-0000-000000000000"
	}
	entity := uncaughtExceptionEntity{
		StatusCode: http.StatusInternalServerError,
		Message:    &message,
		StackTrace: "Please contact your admin passing attached Log''s referral number: " + referral,
	}
	if variantFor(ex.accept, mediaTypeXML, mediaTypeJSON, mediaTypeText) == mediaTypeText {
		ex.w.Header().Set("Content-Type", "text/plain;charset=utf-8")
		ex.w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(ex.w, "code=%d, message='%s', stackTrace='%s", entity.StatusCode, message, entity.StackTrace)
		return
	}
	writeBody(ex, variantFor(ex.accept, mediaTypeXML, mediaTypeJSON), http.StatusInternalServerError, entity)
}

// writeXSRFFailure is XsrfCheckFailedException: 403 with a plain string.
func writeXSRFFailure(ex *exchange) {
	ex.w.Header().Set("Content-Type", mediaTypeText)
	ex.w.WriteHeader(http.StatusForbidden)
	_, _ = ex.w.Write([]byte("XSRF check failed"))
}

// jiraErrorCollection is the error body of Jira's own REST API
// (/rest/api/2), which does not use the REST module's families.
type jiraErrorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func writeJiraErrors(ex *exchange, status int, messages ...string) {
	if messages == nil {
		messages = []string{}
	}
	writeBody(ex, mediaTypeJSON, status, jiraErrorCollection{ErrorMessages: messages, Errors: map[string]string{}})
}

// containerErrorDescriptions are Tomcat's texts for the errors the
// container (not a REST module) answers.
var containerErrorDescriptions = map[int]string{
	http.StatusNotFound:              "The origin server did not find a current representation for the target resource or is not willing to disclose that one exists.",
	http.StatusMethodNotAllowed:      "The method received in the request-line is known by the origin server but not supported by the target resource.",
	http.StatusRequestEntityTooLarge: "The server is refusing to process a request because the request payload is larger than the server is willing or able to process.",
}

// writeContainerError writes a Tomcat-style HTML error page, which is what
// the products answer outside their REST modules and servlets.
func writeContainerError(w http.ResponseWriter, status int) {
	title := fmt.Sprintf("HTTP Status %d – %s", status, http.StatusText(status))
	w.Header().Set("Content-Type", contentTypeHTML)
	w.Header().Set("Content-Language", "en")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%s</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1, h2, h3, b {color:white;background-color:#525D76;} h1 {font-size:22px;} h2 {font-size:16px;} h3 {font-size:14px;} p {font-size:12px;} a {color:black;} .line {height:1px;background-color:#525D76;border:none;}</style></head><body><h1>%s</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> %s</p><hr class="line" /><h3>Apache Tomcat/9.0.82</h3></body></html>`,
		title, title, containerErrorDescriptions[status])
}
