package access

import (
	"context"
	"testing"
)

func TestActorContext(t *testing.T) {
	if _, ok := ActorFrom(context.Background()); ok {
		t.Fatal("no actor in an empty context")
	}
	ctx := WithActor(context.Background(), Actor{ID: "u1", Role: RolePharmacist, TenantID: "t1"})
	a, ok := ActorFrom(ctx)
	if !ok || a.ID != "u1" || !a.Role.Staff() {
		t.Fatalf("ActorFrom = %+v %v", a, ok)
	}
	if _, ok := ActorFrom(WithActor(context.Background(), Actor{ID: "x", Role: "wizard"})); ok {
		t.Fatal("an actor with an unknown role must not count")
	}
	s := System("reaper", "t1")
	if !s.IsSystem() || s.Role.Staff() {
		t.Fatalf("system actor: %+v", s)
	}
	if RolePatient.Staff() || !RoleAdmin.Staff() {
		t.Fatal("Staff misclassifies")
	}
}

func TestClassNames(t *testing.T) {
	for _, c := range Classes {
		if !c.Valid() || c.String() == "" {
			t.Fatalf("class %d", c)
		}
	}
	if Unclassified.Valid() || Class(99).Valid() {
		t.Fatal("invalid classes reported valid")
	}
}
