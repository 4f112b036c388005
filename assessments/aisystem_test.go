package assessments

import (
	"errors"
	"strings"
	"testing"
)

func validSystem() AISystem {
	return AISystem{Name: "Lens", Purpose: "Triage chest X-rays", Role: RoleProvider, Stage: StageOperation, Automation: AutomationAdvisory}
}

func TestAISystemValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*AISystem)
		field string // "" = valid
	}{
		{"valid", func(*AISystem) {}, ""},
		{"every role", func(a *AISystem) { a.Role = RoleSubject }, ""},
		{"customer/user role", func(a *AISystem) { a.Role = RoleCustomer }, ""},
		{"no name", func(a *AISystem) { a.Name = "  " }, "name"},
		{"long name", func(a *AISystem) { a.Name = strings.Repeat("x", MaxNameLen+1) }, "name"},
		{"no purpose", func(a *AISystem) { a.Purpose = "" }, "purpose"},
		{"no role", func(a *AISystem) { a.Role = "" }, "role"},
		{"unknown role", func(a *AISystem) { a.Role = "vendor" }, "role"},
		{"label is not a token", func(a *AISystem) { a.Role = "customer/user" }, "role"},
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
	p := AISystem{Role: "x"}.Problems()
	var fields []string
	for _, e := range p {
		fields = append(fields, e.Field)
	}
	if got := strings.Join(fields, ","); got != "name,purpose,role" {
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
