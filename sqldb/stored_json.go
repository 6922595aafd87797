package sqldb

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/tenantry/tenantry"
)

// A customer's address and packages are stored as the JSON that
// encoding/json writes for them, and a page of 100 customers decodes 200
// such documents: through encoding/json's reflection that was a third of
// what the store spent on a page beyond its statement. decodeAddress and
// decodePackages read the common shape (flat objects of plain strings and
// integers) directly and hand anything else — an escape, a nested list of
// notices, a field they do not know — to encoding/json, so that they
// decode exactly what it would (FuzzStoredJSON checks that). A provisioned
// package's license ids, a list of plain strings, are read too.

// decodeAddress decodes a stored address into a.
func decodeAddress(doc string, a *tenantry.Address) error {
	var f flatObject
	if f.parse(doc) {
		var b tenantry.Address
		ok := f.each(func(k string, v flatValue) bool {
			if v.kind != flatString {
				return false
			}
			switch k {
			case "addressLine1":
				b.Line1 = v.s
			case "addressLine2":
				b.Line2 = v.s
			case "city":
				b.City = v.s
			case "stateOrProvince":
				b.State = v.s
			case "zipOrPostalCode":
				b.PostalCode = v.s
			case "country":
				b.Country = v.s
			default:
				return false
			}
			return true
		})
		if ok {
			*a = b
			return nil
		}
	}
	return json.Unmarshal([]byte(doc), a)
}

// decodePackages decodes a stored list of packages into ps.
func decodePackages(doc string, ps *[]storedPackage) error {
	if out, ok := fastPackages(doc); ok {
		*ps = out
		return nil
	}
	return json.Unmarshal([]byte(doc), ps)
}

func fastPackages(doc string) ([]storedPackage, bool) {
	p := jsonScanner{s: doc}
	out := []storedPackage{}
	ok := p.seq('[', ']', func() bool {
		var f flatObject
		var sp storedPackage
		ok := f.scan(&p) && f.each(func(k string, v flatValue) bool {
			switch {
			case k == "name" && v.kind == flatString:
				sp.Name = tenantry.Package(v.s)
			case k == "status" && v.kind == flatString:
				sp.Status = tenantry.PackageStatus(v.s)
			case k == "quantity" && v.kind == flatInt:
				sp.Quantity = v.n
			case k == "licenseIds" && v.kind == flatList:
				sp.LicenseIDs = v.list
			default:
				return false
			}
			return true
		})
		out = append(out, sp)
		return ok
	})
	if !ok || !p.end() {
		return nil, false
	}
	return out, true
}

// flatValue is a value of a flat object: a string, an integer or a list
// of strings.
type flatValue struct {
	kind flatKind
	s    string
	n    int
	list []string
}

type flatKind int

const (
	flatString flatKind = iota
	flatInt
	flatList
)

// flatObject is a JSON object whose values are all plain strings (no
// escapes), integers or lists of plain strings, as read by parse or scan.
type flatObject struct {
	keys [8]string
	vals [8]flatValue
	n    int
}

// parse reads doc, which must be one flat object and nothing else.
func (f *flatObject) parse(doc string) bool {
	p := jsonScanner{s: doc}
	return f.scan(&p) && p.end()
}

// scan reads one flat object at p; false when what is there is anything
// else, or has more than 8 members.
func (f *flatObject) scan(p *jsonScanner) bool {
	f.n = 0
	return p.seq('{', '}', func() bool {
		if f.n == len(f.keys) {
			return false
		}
		k, ok := p.str()
		if !ok || !p.next(':') {
			return false
		}
		var v flatValue
		switch p.peek() {
		case '"':
			v.s, ok = p.str()
		case '[':
			v.kind = flatList
			v.list, ok = p.strs()
		default:
			v.kind = flatInt
			v.n, ok = p.int()
		}
		f.keys[f.n], f.vals[f.n] = k, v
		f.n++
		return ok
	})
}

// each calls fn with the members in order, stopping at the first false.
func (f *flatObject) each(fn func(k string, v flatValue) bool) bool {
	for i := range f.n {
		if !fn(f.keys[i], f.vals[i]) {
			return false
		}
	}
	return true
}

// jsonScanner reads the few JSON tokens the fast paths accept.
type jsonScanner struct {
	s string
	i int
}

func (p *jsonScanner) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonScanner) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// next consumes c if it is the next token.
func (p *jsonScanner) next(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// end reports whether nothing but space is left.
func (p *jsonScanner) end() bool {
	p.space()
	return p.i == len(p.s)
}

// str reads a string without escapes or control characters, in valid
// UTF-8 (encoding/json would replace what is not).
func (p *jsonScanner) str() (string, bool) {
	if !p.next('"') {
		return "", false
	}
	start := p.i
	for ; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, utf8.ValidString(v)
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// strs reads a list of strings as str reads each; an empty list is an
// empty slice, as encoding/json makes it.
func (p *jsonScanner) strs() ([]string, bool) {
	out := []string{}
	ok := p.seq('[', ']', func() bool {
		v, ok := p.str()
		out = append(out, v)
		return ok
	})
	return out, ok
}

// seq reads what is between open and close, separated by commas, calling
// item to read each element; false as soon as something else is there.
func (p *jsonScanner) seq(open, close byte, item func() bool) bool {
	if !p.next(open) {
		return false
	}
	if p.next(close) {
		return true
	}
	for {
		if !item() {
			return false
		}
		if p.next(close) {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// int reads an integer as JSON writes it (no fraction, exponent or
// leading zero) that fits an int with room to spare.
func (p *jsonScanner) int() (int, bool) {
	p.space()
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	n := p.i - digits
	if n == 0 || n > 15 || (n > 1 && p.s[digits] == '0') {
		return 0, false
	}
	// A fraction or exponent that follows is not a delimiter, so the
	// object's scan refuses it.
	v, err := strconv.Atoi(p.s[start:p.i])
	return v, err == nil
}
