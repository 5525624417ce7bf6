package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// Entity links (design/api.md §3.9): a local project, space or repository
// linked to an entity of the application at the other end of an
// application link. The products keep them as one list per local entity,
// so reads go through that list (cached per local entity for the reads of
// one run, cache.go) and writes to one local entity are serialised: the
// product rewrites the whole list on every write, and two at once could
// lose one (DefaultEntityLinkService.setStoredEntityLinks).

// EntityLink is an EntityLinkEntity (design/api.md §3.9.1).
type EntityLink struct {
	ApplicationID string `json:"applicationId"`
	TypeID        string `json:"typeId"`
	Key           string `json:"key"`
	Name          string `json:"name"`
	DisplayURL    string `json:"displayUrl"`
	Primary       bool   `json:"isPrimary"`
}

// LocalEntity names the local end of entity links: an entity type id such
// as jira.project and the entity's key.
type LocalEntity struct {
	TypeID string
	Key    string
}

func (e LocalEntity) lockKey() string { return "entity " + e.TypeID + "/" + e.Key }

// EntityReference is a ReferenceEntity: an entity an instance has.
type EntityReference struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	TypeID string `json:"typeId"`
}

// entityList decodes the {"entity":[...]} wrapper of both lists
// tolerantly: a missing or null list is empty, and a lone object (as
// some JSON providers render one-element lists) is a list of one.
type entityList[T any] struct {
	Entity json.RawMessage `json:"entity"`
}

func (l entityList[T]) items() ([]T, error) {
	raw := bytes.TrimSpace(l.Entity)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	if raw[0] == '{' {
		var one T
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		return []T{one}, nil
	}
	var many []T
	err := json.Unmarshal(raw, &many)
	return many, err
}

// EntityLinks returns the local entity's links, from the listing that the
// reads of one run share: a refresh of many links under one local entity
// costs one request.
func (c *Client) EntityLinks(ctx context.Context, local LocalEntity) ([]EntityLink, error) {
	links, err := c.cachedEntityLinks(ctx, local)
	return slices.Clone(links), err
}

func (c *Client) cachedEntityLinks(ctx context.Context, local LocalEntity) ([]EntityLink, error) {
	return c.caches.entityLinks.get(ctx, c.now, local, func(ctx context.Context) ([]EntityLink, error) {
		return c.listEntityLinks(ctx, local)
	})
}

func (c *Client) listEntityLinks(ctx context.Context, local LocalEntity) ([]EntityLink, error) {
	var list entityList[EntityLink]
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1+"/entitylink/list", local.TypeID, local.Key)}, &list); err != nil {
		return nil, err
	}
	return list.items()
}

// EntityLink returns one link of the local entity, or an error matching
// ErrNotFound. Types compare exactly; keys and application ids too, as the
// products' equivalent does, except that application ids are UUIDs and
// compare without case.
func (c *Client) EntityLink(ctx context.Context, local LocalEntity, typeID, key, applicationID string) (*EntityLink, error) {
	links, err := c.cachedEntityLinks(ctx, local)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		if l.TypeID == typeID && l.Key == key && linkKey(l.ApplicationID) == linkKey(applicationID) {
			return &l, nil
		}
	}
	return nil, fmt.Errorf("no entity link from %s %s to %s %s through application link %s: %w",
		local.TypeID, local.Key, typeID, key, applicationID, ErrNotFound)
}

// NewEntityLink is the body of the entity link PUT.
type NewEntityLink struct {
	ApplicationID string `json:"applicationId"`
	TypeID        string `json:"typeId"`
	Key           string `json:"key"`
	Name          string `json:"name,omitempty"`
}

// PutEntityLink creates the link, or renames an existing one (which keeps
// its primary flag), and returns what the server stored. With reciprocate
// the server first makes the link back on the peer, across the
// application link with its own authentication. A PUT of the same body is
// harmless, so it may be repeated when its outcome is unknown.
func (c *Client) PutEntityLink(ctx context.Context, local LocalEntity, link NewEntityLink, reciprocate bool) (*EntityLink, error) {
	var stored EntityLink
	err := c.changeEntityLinks(ctx, local, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodPut,
			path:       apiPath(applinksV1+"/entitylink", local.TypeID, local.Key),
			query:      reciprocateQuery(nil, reciprocate),
			body:       link,
			idempotent: true,
		}, &stored)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &stored, nil
}

// MakeEntityLinkPrimary makes the link the primary one of its remote type
// under the local entity; the old primary is demoted.
func (c *Client) MakeEntityLinkPrimary(ctx context.Context, local LocalEntity, typeID, key, applicationID string) error {
	return c.changeEntityLinks(ctx, local, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodPost,
			path:       apiPath(applinksV1+"/entitylink/primary", local.TypeID, local.Key),
			query:      url.Values{"typeId": {typeID}, "key": {key}, "applicationId": {applicationID}},
			idempotent: true,
		}, nil)
		return err
	})
}

// DeleteEntityLink deletes the link, and with reciprocate first the link
// back on the peer. A link that is already gone returns an error matching
// ErrNotFound.
func (c *Client) DeleteEntityLink(ctx context.Context, local LocalEntity, typeID, key, applicationID string, reciprocate bool) error {
	return c.changeEntityLinks(ctx, local, func() error {
		_, err := c.do(ctx, call{
			method:     http.MethodDelete,
			path:       apiPath(applinksV1+"/entitylink", local.TypeID, local.Key),
			query:      reciprocateQuery(url.Values{"typeId": {typeID}, "key": {key}, "applicationId": {applicationID}}, reciprocate),
			idempotent: !reciprocate,
		}, nil)
		return err
	})
}

func reciprocateQuery(q url.Values, reciprocate bool) url.Values {
	if reciprocate {
		if q == nil {
			q = url.Values{}
		}
		q.Set("reciprocate", "true")
	}
	return q
}

// changeEntityLinks serialises the client's writes to one local entity's
// links (see the top of this file).
func (c *Client) changeEntityLinks(ctx context.Context, local LocalEntity, write func() error) error {
	unlock, err := c.linkLocks.lock(ctx, local.lockKey())
	if err != nil {
		return err
	}
	defer unlock()
	return write()
}

// RemoteEntities lists the entities of the application at the other end of
// the link, as this instance reads them across it (design/api.md §3.9.2).
func (c *Client) RemoteEntities(ctx context.Context, applicationID string) ([]EntityReference, error) {
	var list entityList[EntityReference]
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1+"/entities", applicationID)}, &list); err != nil {
		return nil, err
	}
	return list.items()
}

// LocalEntitiesLinkedTo lists the local entities with an entity link
// through the application link.
func (c *Client) LocalEntitiesLinkedTo(ctx context.Context, applicationID string) ([]EntityReference, error) {
	var list entityList[EntityReference]
	if _, err := c.do(ctx, call{method: http.MethodGet, path: apiPath(applinksV1+"/entitylink/localEntitiesWithLinksTo", applicationID)}, &list); err != nil {
		return nil, err
	}
	return list.items()
}
