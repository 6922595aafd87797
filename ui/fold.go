package ui

// A page's template translates 30 constant message keys or more
// ({{.T "hub.nav.customers"}}), and a form page a hundred. html/template
// runs each such action through reflection twice, once for the view's
// method and once for the escaper it adds, about a microsecond in all: a
// third of the customer list's execution. So each language has
// its own copy of the pages in which every such action is replaced, once,
// by the text it writes in that language.
//
// The replacement is made on html/template's own escaped tree, so that the
// escaper is the one the action's context calls for, and only where that
// escaper is one whose output foldEscape reproduces (text, a quoted
// attribute value, or an element like <title> whose content is text);
// anywhere else the action is left as it is. The package's tests render
// every page they serve both ways and compare them (checkFolds in
// templates.go); FuzzFoldEscape compares foldEscape with html/template.

import (
	"errors"
	"html/template"
	"io"
	"strings"
	"text/template/parse"
	"unicode/utf8"
)

// foldedEscapers are the escapers html/template adds in the contexts
// foldEscape is right for. For a plain string each of them replaces the
// same few characters.
var foldedEscapers = map[string]bool{
	"_html_template_htmlescaper":   true, // text
	"_html_template_attrescaper":   true, // a quoted attribute value
	"_html_template_rcdataescaper": true, // <title>, <textarea>
}

// foldTranslations replaces, in every template of t, each action that only
// translates a constant key on the page's view by the translation into
// lang, escaped. It escapes t first (by executing its layout with no data,
// which fails after escaping); an escaping error is returned.
func foldTranslations(t *template.Template, translate func(key string) string) error {
	err := t.ExecuteTemplate(io.Discard, "layout", nil)
	var escErr *template.Error
	if errors.As(err, &escErr) {
		return err
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			foldList(tt.Tree.Root, translate)
		}
	}
	return nil
}

func foldList(l *parse.ListNode, translate func(string) string) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if key, ok := constantTranslation(n.Pipe); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(foldEscape(translate(key)))}
			}
		case *parse.IfNode:
			foldList(n.List, translate)
			foldList(n.ElseList, translate)
		case *parse.RangeNode:
			foldList(n.List, translate)
			foldList(n.ElseList, translate)
		case *parse.WithNode:
			foldList(n.List, translate)
			foldList(n.ElseList, translate)
		case *parse.ListNode:
			foldList(n, translate)
		}
	}
}

// constantTranslation reports whether a pipeline is the view's T of one
// constant key — .T, $.T, $v.T or .V.T; only the view has a method T —
// followed by one escaper that foldEscape reproduces.
func constantTranslation(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 2 {
		return "", false
	}
	call, esc := p.Cmds[0], p.Cmds[1]
	if len(call.Args) != 2 || len(esc.Args) != 1 {
		return "", false
	}
	if id, ok := esc.Args[0].(*parse.IdentifierNode); !ok || !foldedEscapers[id.Ident] {
		return "", false
	}
	var ident []string
	switch f := call.Args[0].(type) {
	case *parse.FieldNode:
		ident = f.Ident
	case *parse.VariableNode:
		ident = f.Ident[1:]
	default:
		return "", false
	}
	if len(ident) == 0 || ident[len(ident)-1] != "T" || len(ident) > 2 || len(ident) == 2 && ident[0] != "V" {
		return "", false
	}
	key, ok := call.Args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return key.Text, true
}

// foldEscape escapes a string as html/template's text and attribute
// escapers do: NUL, ", &, ', +, < and >.
func foldEscape(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		var repl string
		switch r {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		}
		if repl != "" {
			b.WriteString(s[written:i])
			b.WriteString(repl)
			written = i + w
		}
		i += w
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}
