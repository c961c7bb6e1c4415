package planner

// Product environments: create, update, and the notes their PUTs need.

import (
	"slices"
	"strconv"
	"strings"

	"github.com/cldsync/cldsync/pkg/spec"
	"github.com/cldsync/cldsync/pkg/state/model"
)

func (d *differ) environments(desired *spec.Config, live *model.Account) {
	for i := range desired.Environments {
		e := &desired.Environments[i]
		ref := Ref{spec.KindEnvironment, e.CloudName}
		if d.refused[ref] {
			continue
		}
		if l := d.lEnvs[e.CloudName]; l != nil {
			d.updateEnvironment(ref, e, l)
		} else {
			d.createEnvironment(ref, e)
		}
	}
	for i := range live.Environments {
		l := &live.Environments[i]
		if d.dEnvs[l.CloudName] != nil || d.isIgnored(spec.KindEnvironment, l.CloudName) {
			continue
		}
		ref := Ref{spec.KindEnvironment, l.CloudName}
		if !d.prune[spec.KindEnvironment] || !d.canDelete(spec.KindEnvironment) || d.refused[ref] {
			d.plan.addUnmanaged(spec.KindEnvironment, l.CloudName)
			continue
		}
		d.add(Change{
			Action: Delete,
			Ref:    ref,
			Before: liveEnvironment(l),
			Reason: "not in the configuration, and environments are pruned",
			Notes:  []string{"deletes the product environment and everything in it; the API refuses it for environments with 1000 or more images"},
		})
	}
}

func liveEnvironment(l *model.Environment) EnvironmentValue {
	return EnvironmentValue{ID: l.ID, CloudName: l.CloudName, Name: l.Name, Enabled: l.Enabled}
}

func (d *differ) createEnvironment(ref Ref, e *spec.Environment) {
	after := EnvironmentValue{
		CloudName:        e.CloudName,
		Name:             e.Name,
		Enabled:          deref(e.Enabled, true),
		BaseEnvironment:  e.BaseEnvironment,
		CustomAttributes: cloneAttrs(e.CustomAttributes),
	}
	c := Change{Action: Create, Ref: ref, Reason: "not in the account"}
	if after.Name == "" {
		after.Name = e.CloudName
		c.Notes = append(c.Notes, "name is not set: the cloud_name is used as the display name, which the API requires")
	}
	if after.BaseEnvironment != "" {
		if msg := d.checkEnvRef(after.BaseEnvironment); msg != "" {
			d.errorf(ref, "base_environment: %s", msg)
			return
		}
		if d.envCreated(after.BaseEnvironment) {
			c.DependsOn = append(c.DependsOn, Ref{spec.KindEnvironment, after.BaseEnvironment})
		}
	}
	if !after.Enabled {
		c.Notes = append(c.Notes, "created, then disabled: the create request has no enabled field")
	}
	c.After = after
	c.Fields = append(c.Fields,
		FieldDiff{Name: "name", New: quote(after.Name)},
		FieldDiff{Name: "enabled", New: strconv.FormatBool(after.Enabled)})
	if after.BaseEnvironment != "" {
		c.Fields = append(c.Fields, FieldDiff{Name: "base_environment", New: quote(after.BaseEnvironment)})
	}
	if after.CustomAttributes != nil {
		c.Fields = append(c.Fields, FieldDiff{Name: "custom_attributes", New: formatAttrs(after.CustomAttributes)})
	}
	d.add(c)
}

func (d *differ) updateEnvironment(ref Ref, e *spec.Environment, l *model.Environment) {
	before := liveEnvironment(l)
	after := before
	var fields []FieldDiff
	// An empty name is treated as not managed: the API requires a name, so
	// an empty one can only mean the configuration left it out.
	if e.Name != "" && e.Name != l.Name {
		fields = append(fields, FieldDiff{Name: "name", Old: quote(l.Name), New: quote(e.Name)})
		after.Name = e.Name
	}
	if e.Enabled != nil && *e.Enabled != l.Enabled {
		fields = append(fields, FieldDiff{Name: "enabled", Old: strconv.FormatBool(l.Enabled), New: strconv.FormatBool(*e.Enabled)})
		after.Enabled = *e.Enabled
	}
	// custom_attributes cannot be compared (write-only), so it never causes
	// an update on its own; it rides along with one.
	if len(fields) == 0 {
		return
	}
	c := Change{Action: Update, Ref: ref, Before: before, Fields: fields, Reason: "differs from the configuration"}
	if e.CustomAttributes != nil {
		after.CustomAttributes = cloneAttrs(e.CustomAttributes)
		c.Notes = append(c.Notes, "custom_attributes is sent again: the API never returns it, so it is not compared")
	}
	c.After = after
	d.add(c)
}

// customAttributesResetNote is the note on an environment update (renames
// included) whose configuration leaves custom_attributes out.
const customAttributesResetNote = "the API never returns custom_attributes, and this PUT resets them unless the configuration sets them"

// noteCustomAttributesReset notes, and warns once about, the environment
// updates that will clear custom_attributes: the PUT resets what it is not
// sent (NOTES P1), and cldsync cannot send the live value back because the
// API never returns it (P11). A configuration from cldsync export never
// has custom_attributes, so renaming or enabling such an environment
// would wipe them silently. Creates are left out: what a create does not
// send, the environment does not have.
func (d *differ) noteCustomAttributesReset() {
	var names []string
	for i := range d.plan.Changes {
		c := &d.plan.Changes[i]
		if c.Ref.Kind != spec.KindEnvironment || c.Action != Update {
			continue
		}
		if e := d.dEnvs[c.Ref.Name]; e == nil || e.CustomAttributes != nil {
			continue
		}
		c.Notes = append(c.Notes, customAttributesResetNote)
		names = append(names, c.Ref.Name)
	}
	if len(names) == 0 {
		return
	}
	slices.Sort(names)
	one := len(names) == 1
	d.warnf("%s %s: updating %s resets custom_attributes, which the configuration does not set: the API never returns them, so cldsync cannot send them back; set custom_attributes to keep them",
		map[bool]string{true: "environment", false: "environments"}[one], strings.Join(names, ", "),
		map[bool]string{true: "it", false: "them"}[one])
}
