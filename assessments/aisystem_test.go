package assessments

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func validSystem() AISystem {
	return AISystem{Name: "Lens", Purpose: "Triage chest X-rays", Roles: []AIRole{RoleProvider}, Stage: StageOperation, Automation: AutomationAdvisory}
}

func TestAISystemValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*AISystem)
		field string // "" = valid
	}{
		{"valid", func(*AISystem) {}, ""},
		{"several roles", func(a *AISystem) { a.Roles = []AIRole{RoleProducer, RoleProvider, RoleCustomer} }, ""},
		{"customer/user role", func(a *AISystem) { a.Roles = []AIRole{RoleCustomer} }, ""},
		{"no name", func(a *AISystem) { a.Name = "  " }, "name"},
		{"long name", func(a *AISystem) { a.Name = strings.Repeat("x", MaxNameLen+1) }, "name"},
		{"no purpose", func(a *AISystem) { a.Purpose = "" }, "purpose"},
		{"no role", func(a *AISystem) { a.Roles = nil }, "roles"},
		{"unknown role", func(a *AISystem) { a.Roles = []AIRole{RoleProvider, "vendor"} }, "roles"},
		{"a subject is not a role of the organisation", func(a *AISystem) { a.Roles = []AIRole{"subject"} }, "roles"},
		{"label is not a token", func(a *AISystem) { a.Roles = []AIRole{"customer/user"} }, "roles"},
		{"unknown stage", func(a *AISystem) { a.Stage = "beta" }, "stage"},
		{"stage not stated is fine", func(a *AISystem) { a.Stage = "" }, ""},
		{"unknown automation", func(a *AISystem) { a.Automation = "full" }, "automation"},
		{"huge paste", func(a *AISystem) { a.HumanOversight = strings.Repeat("x", MaxTextLen+1) }, "human_oversight"},
		{"long owner", func(a *AISystem) { a.Owner = strings.Repeat("x", MaxNameLen+1) }, "owner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validSystem()
			tt.edit(&a)
			err := a.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError on %s, got %v", tt.field, err)
			}
			if ve.Field != tt.field {
				t.Fatalf("field = %q, want %q (%s)", ve.Field, tt.field, ve.Message)
			}
		})
	}
}

func TestAISystemProblemsListsEveryField(t *testing.T) {
	p := AISystem{Roles: []AIRole{"x"}}.Problems()
	var fields []string
	for _, e := range p {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, ","); got != "name,purpose,roles" {
		t.Fatalf("fields = %s", got)
	}
}

func TestParseAIRole(t *testing.T) {
	for in, want := range map[string]AIRole{"provider": RoleProvider, "Customer/User": RoleCustomer, "user": RoleCustomer, " partner ": RolePartner} {
		if got, ok := ParseAIRole(in); !ok || got != want {
			t.Errorf("ParseAIRole(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := ParseAIRole("vendor"); ok {
		t.Error("vendor parsed as a role")
	}
	if RoleCustomer.Label() != "customer/user" {
		t.Errorf("label = %q", RoleCustomer.Label())
	}
}

func TestRolesText(t *testing.T) {
	rs := []AIRole{RoleCustomer, RoleProvider, RoleCustomer}
	if got := RolesText(rs); got != "provider,customer" {
		t.Fatalf("RolesText = %q", got)
	}
	if got := ParseRoles(" customer, provider ,"); !slices.Equal(got, []AIRole{RoleProvider, RoleCustomer}) {
		t.Fatalf("ParseRoles = %v", got)
	}
	if got := RolesLabel(rs); got != "provider, customer/user" {
		t.Fatalf("RolesLabel = %q", got)
	}
	if RolesLabel(nil) != "not stated" || ParseRoles("") != nil {
		t.Fatal("no roles")
	}
	for in, want := range map[string][]AIRole{"subject": {RoleCustomer}, "partner": {RolePartner}, "": nil} {
		if got := LegacyRole(in); !slices.Equal(got, want) {
			t.Errorf("LegacyRole(%q) = %v, want %v", in, got, want)
		}
	}
}
