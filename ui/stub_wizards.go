package ui

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

func notYet() error { return tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "page") }

func (s *Server) customerWizardStart(w http.ResponseWriter, r *http.Request) error { return notYet() }
func (s *Server) customerWizardPage(w http.ResponseWriter, r *http.Request) error  { return notYet() }
func (s *Server) customerWizardPost(w http.ResponseWriter, r *http.Request) error  { return notYet() }
func (s *Server) templateList(w http.ResponseWriter, r *http.Request) error        { return notYet() }
func (s *Server) templatePage(w http.ResponseWriter, r *http.Request) error        { return notYet() }
func (s *Server) templateWizardStart(w http.ResponseWriter, r *http.Request) error { return notYet() }
func (s *Server) templateEditStart(w http.ResponseWriter, r *http.Request) error   { return notYet() }
func (s *Server) templateDelete(w http.ResponseWriter, r *http.Request) error      { return notYet() }
func (s *Server) templateWizardPage(w http.ResponseWriter, r *http.Request) error  { return notYet() }
func (s *Server) templateWizardPost(w http.ResponseWriter, r *http.Request) error  { return notYet() }
