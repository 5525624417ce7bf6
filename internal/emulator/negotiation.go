package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Content negotiation (design/api.md §1.2): the media types, the extension
// suffix, @Produces/@Consumes matching, and writing an entity in the
// negotiated representation.

// Media types the products negotiate between.
const (
	mediaTypeXML  = "application/xml"
	mediaTypeJSON = "application/json"
	mediaTypeText = "text/plain"
)

// Inferred: the products' servlet filters add the UTF-8 charset to REST
// responses, so clients must accept parameters on these types.
const (
	contentTypeXML  = "application/xml;charset=UTF-8"
	contentTypeJSON = "application/json;charset=UTF-8"
	contentTypeHTML = "text/html;charset=utf-8"
)

// Representations a route can produce: the v1/v2 applinks resources are
// @Produces({xml, json}) in that order, so XML wins when the client states
// no preference; v3, whitelist and consumer-token resources are JSON only.
// consumesXMLOrJSON is @Consumes({xml, json}) of the v1/v2 resources.
var (
	producesXMLOrJSON = []string{mediaTypeXML, mediaTypeJSON}
	producesJSON      = []string{mediaTypeJSON}
	consumesXMLOrJSON = []string{mediaTypeXML, mediaTypeJSON}
	consumesJSON      = []string{mediaTypeJSON}
)

// extensionMediaTypes is the REST module's ExtensionJerseyFilter table.
var extensionMediaTypes = map[string]string{
	"txt":  "text/plain",
	"htm":  "text/html",
	"html": "text/html",
	"json": mediaTypeJSON,
	"xml":  mediaTypeXML,
	"atom": "application/atom+xml",
}

// applyExtensionSuffix strips a known extension from a REST path and
// returns the Accept header it stands for.
func applyExtensionSuffix(path, accept string) (string, string) {
	i := strings.LastIndex(path, ".")
	if i < 0 {
		return path, accept
	}
	if mediaType, ok := extensionMediaTypes[path[i+1:]]; ok {
		return path[:i], mediaType
	}
	return path, accept
}

// negotiate applies Jersey's @Produces/@Consumes matching; it writes the
// 406 or 415 (Inferred: with empty bodies, as Jersey's own exceptions carry
// none) and reports false when the request cannot be served.
func (h *productHandler) negotiate(ex *exchange) bool {
	representation, ok := negotiateMediaType(ex.accept, ex.route.produces)
	if !ok {
		ex.w.WriteHeader(http.StatusNotAcceptable)
		return false
	}
	ex.representation = representation
	if contentType := ex.r.Header.Get("Content-Type"); contentType != "" && len(ex.route.consumes) > 0 {
		if !slices.Contains(ex.route.consumes, bareMediaType(contentType)) {
			ex.w.WriteHeader(http.StatusUnsupportedMediaType)
			return false
		}
	}
	return true
}

// ---- Content negotiation ----

// negotiateMediaType picks the offer the Accept header rates highest: each
// offer takes the quality of the most specific range matching it, ties go
// to the more specific range and then to the earlier offer. No Accept
// header takes the first offer.
func negotiateMediaType(accept string, offers []string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return offers[0], true
	}
	ranges := parseAccept(accept)
	best, bestQuality, bestSpecificity := "", 0.0, -1
	for _, offer := range offers {
		quality, specificity := rateOffer(ranges, offer)
		if quality > bestQuality || quality == bestQuality && quality > 0 && specificity > bestSpecificity {
			best, bestQuality, bestSpecificity = offer, quality, specificity
		}
	}
	return best, best != ""
}

type mediaRange struct {
	mainType, subType string
	quality           float64
}

func parseAccept(accept string) []mediaRange {
	var ranges []mediaRange
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if mediaType == "*" {
			mediaType = "*/*"
		}
		mainType, subType, ok := strings.Cut(mediaType, "/")
		if !ok {
			continue
		}
		quality := 1.0
		if q, ok := params["q"]; ok {
			if parsed, err := strconv.ParseFloat(q, 64); err == nil {
				quality = parsed
			}
		}
		ranges = append(ranges, mediaRange{mainType: mainType, subType: subType, quality: quality})
	}
	return ranges
}

// rateOffer returns the quality and specificity (2 type/subtype, 1 type/*,
// 0 */*) of the most specific range matching offer, or quality 0.
func rateOffer(ranges []mediaRange, offer string) (float64, int) {
	mainType, subType, _ := strings.Cut(offer, "/")
	quality, specificity := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.mainType == mainType && r.subType == subType:
			s = 2
		case r.mainType == mainType && r.subType == "*":
			s = 1
		case r.mainType == "*" && r.subType == "*":
			s = 0
		}
		if s > specificity {
			quality, specificity = r.quality, s
		}
	}
	return quality, specificity
}

// variantFor is the REST module's Status.variantFor: the exception mappers
// pick XML or JSON from Accept alone, falling back to XML.
func variantFor(accept string, offers ...string) string {
	if mediaType, ok := negotiateMediaType(accept, offers); ok {
		return mediaType
	}
	return offers[0]
}

// bareMediaType lower-cases a Content-Type and drops its parameters.
func bareMediaType(contentType string) string {
	bare, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(bare))
}

// ---- Serialisation ----

// Entities are serialised like the products' Jackson setup (NON_NULL): a
// field that can be null in Java is a pointer, slice, map or interface
// tagged `omitzero`, so nil is omitted while empty lists and maps are
// still written. XML element names equal the JSON keys.

// writeEntity writes v in the representation negotiated for the route.
func writeEntity(ex *exchange, status int, v any) {
	writeBody(ex, ex.representation, status, v)
}

// writeBody serialises v as XML or JSON; XML carries JAXB's declaration.
func writeBody(ex *exchange, mediaType string, status int, v any) {
	var body []byte
	var err error
	contentType := contentTypeJSON
	if mediaType == mediaTypeXML {
		contentType = contentTypeXML
		body, err = xml.Marshal(v)
		body = append([]byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`), body...)
	} else {
		body, err = marshalJSON(v)
	}
	if err != nil {
		// Every entity is a type of this package; failing to encode one
		// is a bug worth a loud 500.
		ex.inst.logf("encode %T: %v", v, err)
		http.Error(ex.w, "emulator: cannot encode response", http.StatusInternalServerError)
		return
	}
	ex.w.Header().Set("Content-Type", contentType)
	ex.w.WriteHeader(status)
	_, _ = ex.w.Write(body)
}

// marshalJSON encodes like Jackson: no HTML escaping, no trailing newline.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	encoder := json.NewEncoder(&buf)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// msgEmptyEntity is what Jackson 1.x says of an empty body ([SRC]).
const msgEmptyEntity = "No content to map to Object due to end of input"

// readEntity decodes the request entity: XML when the request says so,
// JSON otherwise. Inferred: an entity the provider cannot read escapes the
// resource as an uncaught exception, a 500 (Swagger documents "Malformed
// json body" as 500 on the status resource).
func readEntity(ex *exchange, v any) {
	data, err := io.ReadAll(ex.r.Body)
	switch {
	case err != nil:
		panic(err.Error())
	case len(strings.TrimSpace(string(data))) == 0:
		panic(msgEmptyEntity)
	case bareMediaType(ex.r.Header.Get("Content-Type")) == mediaTypeXML:
		err = xml.Unmarshal(data, v)
	default:
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		panic("Malformed entity: " + err.Error())
	}
}

// xmlStringMap is a Map<String,String> field: a JSON object, and in XML
// JAXB's <entry><key/><value/></entry> list (in key order, Inferred, as a
// HashMap has none).
type xmlStringMap map[string]string

func (m xmlStringMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type entry struct {
		Key   string `xml:"key"`
		Value string `xml:"value"`
	}
	entries := struct {
		Entries []entry `xml:"entry"`
	}{}
	for _, key := range slices.Sorted(maps.Keys(m)) {
		entries.Entries = append(entries.Entries, entry{Key: key, Value: m[key]})
	}
	return e.EncodeElement(entries, start)
}

// UnmarshalXML reads the same entry list.
func (m *xmlStringMap) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var entries struct {
		Entries []struct {
			Key   string `xml:"key"`
			Value string `xml:"value"`
		} `xml:"entry"`
	}
	if err := d.DecodeElement(&entries, &start); err != nil {
		return err
	}
	*m = xmlStringMap{}
	for _, e := range entries.Entries {
		(*m)[e.Key] = e.Value
	}
	return nil
}
