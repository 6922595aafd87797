package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tenantry/tenantry"
)

// A page of 100 customers is 60 KB of JSON, and encoding/json spent 130 µs
// of a 770 µs page writing it, mostly walking the types by reflection and
// checking what each Timestamp's MarshalJSON returned. appendCustomer
// writes a customerJSON directly, byte for byte as encoding/json does
// (TestAppendCustomer compares the two over every field, so a field added
// to the type and not here fails it). Without Tenantry's extensions it
// leaves out the fields the public Customer lacks (TestAppendPublicCustomer).

// writeCustomerPage answers a page of customers as writePage would.
func writeCustomerPage(w http.ResponseWriter, r *http.Request, p tenantry.Page, total int, cs []customerJSON) error {
	setLinks(w, r, p, total)
	ext := extensions(r)
	buf := pageBuffers.Get().(*[]byte)
	defer putPageBuffer(buf)
	b := append((*buf)[:0], `{"items":[`...)
	for i := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCustomer(b, &cs[i], ext)
	}
	b = append(b, "]}\n"...)
	*buf = b
	return writeBytes(w, http.StatusOK, b)
}

// writeCustomer answers one customer as writeJSON would.
func writeCustomer(w http.ResponseWriter, r *http.Request, c *customerJSON) error {
	buf := pageBuffers.Get().(*[]byte)
	defer putPageBuffer(buf)
	b := append(appendCustomer((*buf)[:0], c, extensions(r)), '\n')
	*buf = b
	return writeBytes(w, http.StatusOK, b)
}

// pageBuffers are the buffers pages of customers are written into: a page
// of 100 is about 60 KB, which a new buffer each time made a large
// allocation of every request.
var pageBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// putPageBuffer returns a buffer to pageBuffers, unless a page of long
// values made it too large to keep.
func putPageBuffer(b *[]byte) {
	if cap(*b) > 1<<20 {
		return
	}
	pageBuffers.Put(b)
}

// appendCustomer writes c; ext adds Tenantry's fields (customerInfo,
// dataRegion, e911Enabled, created, updated, and each package's quantity)
// to the public Customer's.
func appendCustomer(b []byte, c *customerJSON, ext bool) []byte {
	b = appendKey(b, `{"id":`, c.ID)
	if c.OrgID != "" {
		b = appendKey(b, `,"orgId":`, c.OrgID)
	}
	b = appendKey(b, `,"externalId":`, c.ExternalID)
	b = appendKey(b, `,"address":{"addressLine1":`, c.Address.Line1)
	if c.Address.Line2 != "" {
		b = appendKey(b, `,"addressLine2":`, c.Address.Line2)
	}
	b = appendKey(b, `,"city":`, c.Address.City)
	if c.Address.State != "" {
		b = appendKey(b, `,"stateOrProvince":`, c.Address.State)
	}
	if c.Address.PostalCode != "" {
		b = appendKey(b, `,"zipOrPostalCode":`, c.Address.PostalCode)
	}
	b = appendKey(b, `,"country":`, c.Address.Country)
	b = appendKey(b, `},"status":`, c.Status)
	b = append(b, `,"packages":`...)
	b = appendStrings(b, c.Packages)
	b = append(b, `,"resourceDetails":{"packages":`...)
	if c.ResourceDetails.Packages == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range c.ResourceDetails.Packages {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPackage(b, &c.ResourceDetails.Packages[i], ext)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	if len(c.Errors) > 0 {
		b = append(b, `,"errors":`...)
		b = appendNotices(b, c.Errors)
	}
	if !ext {
		return append(b, '}')
	}
	b = append(b, `,"customerInfo":{`...)
	sep := ""
	for _, f := range [...]struct{ key, v string }{{`"name":`, c.CustomerInfo.Name}, {`"primaryEmail":`, c.CustomerInfo.PrimaryEmail}, {`"language":`, c.CustomerInfo.Language}} {
		if f.v != "" {
			b = appendKey(append(b, sep...), f.key, f.v)
			sep = ","
		}
	}
	b = appendKey(b, `},"dataRegion":`, c.DataRegion)
	b = append(b, `,"e911Enabled":`...)
	b = strconv.AppendBool(b, c.E911Enabled)
	b = appendTime(append(b, `,"created":`...), c.Created)
	b = appendTime(append(b, `,"updated":`...), c.Updated)
	return append(b, '}')
}

func appendPackage(b []byte, p *packageJSON, ext bool) []byte {
	b = appendKey(b, `{"name":`, p.Name)
	b = appendKey(b, `,"status":`, p.Status)
	if len(p.Warnings) > 0 {
		b = appendNotices(append(b, `,"warnings":`...), p.Warnings)
	}
	if len(p.Errors) > 0 {
		b = appendNotices(append(b, `,"errors":`...), p.Errors)
	}
	if len(p.LicenseIDs) > 0 {
		b = appendStrings(append(b, `,"licenseIds":`...), p.LicenseIDs)
	}
	if ext && p.Quantity != 0 {
		b = strconv.AppendInt(append(b, `,"quantity":`...), int64(p.Quantity), 10)
	}
	return append(b, '}')
}

func appendNotices(b []byte, ns []noticeJSON) []byte {
	b = append(b, '[')
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"errorCode":`...), int64(n.ErrorCode), 10)
		b = appendKey(b, `,"description":`, n.Description)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendStrings writes a list of strings; nil is null, as encoding/json
// writes it.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func appendKey(b []byte, key, v string) []byte {
	return appendString(append(b, key...), v)
}

func appendTime(b []byte, t tenantry.Timestamp) []byte {
	b = append(b, '"')
	b = time.Time(t).UTC().AppendFormat(b, tenantry.TimeLayout)
	return append(b, '"')
}

// appendString writes s as a JSON string. Text that encoding/json writes
// as it is (printable ASCII but the characters it escapes, and valid UTF-8
// but U+2028 and U+2029) is copied; anything else goes through
// encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendEscaped(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return appendEscaped(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendEscaped(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
