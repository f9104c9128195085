// Package tenant holds tenants (brands): their name, host names, logo and
// colours, and the resolver that picks a request's tenant from its Host header.
//
// Tenants isolate everything else: every table that holds tenant data carries a
// tenant_id, and every query is scoped by it.
package tenant

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/gif" // logo formats accepted; decoders register themselves
	_ "image/jpeg"
	_ "image/png"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
)

// Tenant is a brand with its own storefront and portal.
type Tenant struct {
	ID        string
	Slug      string // short name for commands and logs: a-z, 0-9 and dashes
	Name      string // shown on every page
	Hostnames []string
	Theme     Theme
	Logo      Logo
	// SecurityContact receives security alerts (lockout bursts, break-glass).
	SecurityContact string
	IsDefault       bool // answers hosts that no tenant claims
	// OrgID is the organisation the brand belongs to ("" for none); ParentID
	// the brand it inherits from before the organisation ("" for none).
	OrgID, ParentID string
	// Own holds the inheritable settings set at this brand (by key); a key
	// that is absent is inherited.
	Own map[string]string
	// Settings holds every inheritable setting's effective value, filled by
	// ApplyInheritance when tenants are loaded.
	Settings map[string]Resolved
	// LogoInherited reports that Logo comes from a parent or the organisation.
	LogoInherited bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Logo is a tenant's logo image, validated by content.
type Logo struct {
	ContentType string // image/png, image/jpeg or image/gif; empty when there is none
	Data        []byte
	SHA256      string // hex; changes the logo's URL when the logo changes
}

// Limits on tenant fields.
const (
	MaxNameLen   = 100
	MaxLogoBytes = 512 << 10
	MaxLogoSide  = 2048
	MaxHostnames = 50
)

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Repository stores tenants. Its methods return apperr errors: NotFound for a
// missing tenant, Conflict for a slug or host name that another tenant has.
type Repository interface {
	Create(ctx context.Context, t *Tenant) error
	Update(ctx context.Context, t *Tenant) error
	ByID(ctx context.Context, id string) (*Tenant, error)
	BySlug(ctx context.Context, slug string) (*Tenant, error)
	List(ctx context.Context) ([]*Tenant, error)
	SetDefault(ctx context.Context, id string) error
}

// Normalize cleans user input in place: trims, lower-cases host names and slug,
// removes duplicate host names.
func (t *Tenant) Normalize() {
	t.Slug = strings.ToLower(strings.TrimSpace(t.Slug))
	t.Name = strings.TrimSpace(t.Name)
	t.SecurityContact = strings.TrimSpace(t.SecurityContact)
	seen := make(map[string]bool)
	hosts := t.Hostnames[:0]
	for _, h := range t.Hostnames {
		h = NormalizeHost(h)
		if h != "" && !seen[h] {
			seen[h] = true
			hosts = append(hosts, h)
		}
	}
	t.Hostnames = hosts
	t.Theme.Primary = strings.ToLower(strings.TrimSpace(t.Theme.Primary))
	t.Theme.Accent = strings.ToLower(strings.TrimSpace(t.Theme.Accent))
}

// Validate checks every field and reports all problems at once.
func (t *Tenant) Validate() error {
	f := make(map[string]string)
	if !slugRE.MatchString(t.Slug) {
		f["slug"] = "Use 1 to 63 lower-case letters, digits and dashes, not starting or ending with a dash."
	}
	switch {
	case t.Name == "":
		f["name"] = "A name is required."
	case utf8.RuneCountInString(t.Name) > MaxNameLen:
		f["name"] = "Use at most 100 characters."
	case strings.ContainsFunc(t.Name, unicode.IsControl):
		f["name"] = "The name must not contain control characters."
	}
	if len(t.Hostnames) > MaxHostnames {
		f["hostnames"] = "Use at most 50 host names."
	}
	for _, h := range t.Hostnames {
		if !ValidHost(h) {
			f["hostnames"] = "\"" + h + "\" is not a valid host name."
			break
		}
	}
	if _, err := ParseColor(t.Theme.Primary); err != nil {
		f["primary_color"] = "Use a colour such as #1f4e79."
	}
	if _, err := ParseColor(t.Theme.Accent); err != nil {
		f["accent_color"] = "Use a colour such as #0b7a75."
	}
	if t.SecurityContact != "" && (!strings.Contains(t.SecurityContact, "@") || strings.ContainsAny(t.SecurityContact, " \r\n<>")) {
		f["security_contact"] = "Use an email address."
	}
	if len(f) > 0 {
		return apperr.InvalidFields("The tenant has invalid fields.", f)
	}
	return nil
}

// SetLogo validates an uploaded logo by its content (not its name or declared
// type) and sets it. Why decode: a file that is not really an image, or a huge
// "decompression bomb", must not be stored and served to every visitor.
func (t *Tenant) SetLogo(data []byte) error {
	if len(data) == 0 {
		t.Logo = Logo{}
		return nil
	}
	if len(data) > MaxLogoBytes {
		return apperr.InvalidFields("The logo is too large.", map[string]string{"logo": "Use an image of at most 512 KiB."})
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return apperr.InvalidFields("The logo is not an image.", map[string]string{"logo": "Use a PNG, JPEG or GIF image."})
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoSide || cfg.Height > MaxLogoSide {
		return apperr.InvalidFields("The logo has an unusable size.", map[string]string{"logo": "Use an image of at most 2048 × 2048 pixels."})
	}
	// Decode fully as well: DecodeConfig reads only the header.
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		return apperr.InvalidFields("The logo is damaged.", map[string]string{"logo": "The image could not be read; export it again."})
	}
	sum := sha256.Sum256(data)
	t.Logo = Logo{ContentType: "image/" + format, Data: data, SHA256: hex.EncodeToString(sum[:])}
	return nil
}

// NormalizeHost lower-cases a host name and removes a port and a trailing dot.
func NormalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(h, "[") { // [::1]:8080
		if i := strings.Index(h, "]"); i > 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// ValidHost reports whether h is a host name or IP literal a tenant may claim.
func ValidHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		return strings.Count(h, ":") >= 2
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}
