package emulator

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // OAuth 1.0a RSA-SHA1 is the protocol's
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Outgoing OAuth 1.0a (RFC 5849), as a link's authenticated request factory
// signs the calls the products make across it (design/api.md §6.4): the
// instance's own consumer key and RSA key, two-legged, and with 2LO
// impersonation the calling user as xoauth_requestor_id. The peer verifies
// them with the consumer it stored for this instance (oauth1.go).

// callPeerAsLink sends a request to the link's peer with the link's
// outgoing authentication. 2LO with impersonation acts as the caller, 2LO
// as the peer's executing user; 3LO alone needs a user's access token,
// which the emulator never has, and no OAuth at all leaves nothing to sign
// with: both are errCredentialsRequired, as CredentialsRequiredException.
// Inferred: the products prefer impersonation to plain 2LO when both are on.
func (i *Instance) callPeerAsLink(ex *exchange, link storedLink, method, pathAndQuery string, body []byte) (peerResponse, error) {
	level := outgoingLevel(link)
	if !level.TwoLoImpersonationEnabled && !level.TwoLoEnabled {
		return peerResponse{}, errCredentialsRequired
	}
	target := peerURL(link.RPCURL, pathAndQuery)
	if level.TwoLoImpersonationEnabled && ex.user != nil {
		separator := "?"
		if strings.Contains(target, "?") {
			separator = "&"
		}
		target += separator + "xoauth_requestor_id=" + url.QueryEscape(ex.user.name)
	}
	authorization, err := i.oauthAuthorization(method, target, time.Now())
	if err != nil {
		return peerResponse{}, err
	}
	req := peerRequest{method: method, url: target, authorization: authorization, accept: mediaTypeJSON, body: body}
	if body != nil {
		req.contentType = mediaTypeJSON
	}
	return callPeer(ex.r.Context(), i.peers.direct, req)
}

// oauthAuthorization signs a body-less or JSON request (whose body is not
// signed, RFC 5849 §3.4.1.3.1) and returns its Authorization header.
func (i *Instance) oauthAuthorization(method, rawURL string, now time.Time) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	protocol := [][2]string{
		{"oauth_consumer_key", consumerKey(i.product.typeID, i.serverID)},
		{"oauth_nonce", hex.EncodeToString(nonce)},
		{"oauth_signature_method", "RSA-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(now.Unix(), 10)},
		{"oauth_version", "1.0"},
	}
	params := slices.Clone(protocol)
	params = append(params, valuePairs(u.Query())...)
	digest := sha1.Sum([]byte(outgoingBaseString(method, u, params))) //nolint:gosec // the protocol's
	signature, err := rsa.SignPKCS1v15(rand.Reader, i.privateKey, crypto.SHA1, digest[:])
	if err != nil {
		return "", err
	}
	protocol = append(protocol, [2]string{"oauth_signature", base64.StdEncoding.EncodeToString(signature)})
	parts := []string{`realm=""`}
	for _, kv := range protocol {
		parts = append(parts, oauthEncode(kv[0])+`="`+oauthEncode(kv[1])+`"`)
	}
	return "OAuth " + strings.Join(parts, ", "), nil
}

// outgoingBaseString is RFC 5849 §3.4.1 for a request about to be sent:
// the scheme and host come from the URL (default ports dropped).
func outgoingBaseString(method string, u *url.URL, params [][2]string) string {
	host := strings.ToLower(u.Host)
	if u.Scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	} else {
		host = strings.TrimSuffix(host, ":443")
	}
	encoded := make([][2]string, len(params))
	for n, kv := range params {
		encoded[n] = [2]string{oauthEncode(kv[0]), oauthEncode(kv[1])}
	}
	slices.SortFunc(encoded, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	pairs := make([]string, len(encoded))
	for n, kv := range encoded {
		pairs[n] = kv[0] + "=" + kv[1]
	}
	return strings.ToUpper(method) + "&" + oauthEncode(strings.ToLower(u.Scheme)+"://"+host+u.EscapedPath()) + "&" +
		oauthEncode(strings.Join(pairs, "&"))
}
