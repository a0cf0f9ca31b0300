package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/prefectimage/terraform-provider-prefectimage/internal/prefecttag"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/registry"
	"github.com/prefectimage/terraform-provider-prefectimage/internal/resolver"
)

var (
	_ resource.Resource                 = (*pinResource)(nil)
	_ resource.ResourceWithConfigure    = (*pinResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*pinResource)(nil)
	_ resource.ResourceWithImportState  = (*pinResource)(nil)
	_ resource.ResourceWithUpgradeState = (*pinResource)(nil)
)

// The on_drift choices.
const (
	onDriftUpdate = "update"
	onDriftWarn   = "warn"
	onDriftError  = "error"
)

// privateSelectorKey holds the selector as configured at the last apply, so
// that a plan can tell a changed selector from upstream drift even where
// tag, flavor and repository are filled in by the provider.
const privateSelectorKey = "selector"

// privateUncheckedKey marks a refresh that could not resolve upstream: the
// plan then judges no drift, since upstream_* is an earlier refresh's.
const privateUncheckedKey = "upstream_unchecked"

// privateUpstreamKey holds the platforms of upstream's image as the last
// refresh read them (readUpstreamPlatforms).
const privateUpstreamKey = "upstream_platforms"

// privateRepositoryKey holds the provider's repository (the repository of
// a pin that names none) as the pin's last refresh, or its create, saw it;
// a plan of the pin takes it from here (providerRepository). Terraform
// plans again at apply, from the refreshed state of the saved plan, in a
// provider configured anew: PREFECTIMAGE_REPOSITORY, or a provider block
// that reads a file, may name another repository there, and that plan
// resolved the pin in it, which Terraform stopped as "Provider produced
// inconsistent final plan", a bug in the provider.
const privateRepositoryKey = "provider_repository"

// upstreamPlatforms are the platforms of the image at Digest.
type upstreamPlatforms struct {
	Digest    string            `json:"digest"`
	Platforms map[string]string `json:"platforms"`
	// NotImages counts the index's entries that are no platform's image
	// (registry.Platforms), for the warning of an index of them alone.
	NotImages int `json:"not_images,omitempty"`
	// Unread: why the refresh could not read them (the error's text, which
	// the registry client scrubs of every secret, with its advice). The
	// plan then holds the pin without asking again, so that the plan
	// Terraform makes again at apply, from the same refreshed state,
	// decides the same: asked again there and read, it followed upstream,
	// and Terraform stopped the apply with "Provider produced inconsistent
	// final plan".
	Unread string `json:"unread,omitempty"`
}

type pinResource struct {
	data *providerData
}

type pinResourceModel struct {
	pinModel
	OnDrift        types.String `tfsdk:"on_drift"`
	UpstreamTag    types.String `tfsdk:"upstream_tag"`
	UpstreamDigest types.String `tfsdk:"upstream_digest"`

	// upstream is what the last refresh recorded in private state, nil
	// when it recorded nothing; stale: that refresh failed, so upstream_*
	// is an earlier one's (privateUncheckedKey). Not in the schema.
	upstream *upstreamPlatforms
	stale    bool
	// upstreamAtApply: this plan, the first after an import, could not
	// resolve upstream without credentials known only at apply
	// (watchImported); the apply resolves it with them. Not in the schema.
	upstreamAtApply bool
	// platformsRead: this plan read the kept pin's platforms from the
	// registry (checkPinnedPlatforms), and platformsUnread: it failed to.
	// Not in the schema.
	platformsRead, platformsUnread bool
}

// NewPinResource returns the prefectimage_pin resource.
func NewPinResource() resource.Resource {
	return &pinResource{}
}

func (r *pinResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pin"
}

func (r *pinResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := resourceAttributes()
	attrs["on_drift"] = schema.StringAttribute{
		Optional: true,
		Computed: true,
		Default:  stringdefault.StaticString(onDriftUpdate),
		MarkdownDescription: "What a plan does when upstream no longer matches the pin (the same tag re-pushed, or a " +
			"newer release now meets the selector). `update` (the default): the plan updates the pin in place to the " +
			"new tag and digest, known at plan time, so every resource fed from `ref` shows its own change. `warn`: " +
			"the pin holds and the plan carries a warning naming the old and new tag and digest. `error`: the pin " +
			"holds and the plan fails with that text. With `platform_digests` in state, the text also names each " +
			"platform added, removed or changed. With `required_platforms`, upstream's image must have every one of " +
			"them: otherwise the pin holds under `update` and `warn`, with a warning that names what it lacks, and " +
			"the plan fails under `error`.",
		Validators: []validator.String{stringvalidator.OneOf(onDriftUpdate, onDriftWarn, onDriftError)},
	}
	attrs["upstream_tag"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The tag the selector resolved to at the last refresh.",
	}
	attrs["upstream_digest"] = schema.StringAttribute{
		Computed:            true,
		MarkdownDescription: "The digest the selector resolved to at the last refresh.",
	}
	resp.Schema = schema.Schema{
		Version: 0,
		MarkdownDescription: "Holds a digest-pinned Prefect image in state. Each refresh resolves the selector again " +
			"into `upstream_tag` and `upstream_digest`; when upstream has moved (the same tag re-pushed, or a newer " +
			"release now meets the selector), the plan shows it and `on_drift` decides whether the pin follows, holds " +
			"with a warning, or stops the plan. With `required_platforms`, the pin never moves onto an image that " +
			"lacks one of them. Creating, updating and deleting the pin change nothing in any registry.",
		Attributes: attrs,
	}
}

func (r *pinResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan is where the pin is decided: Read alone makes no plan action,
// so resolution results become planned values here.
func (r *pinResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return // destroy, or a provider not configured yet (validate)
	}
	var config, plan pinResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sel, known := selectorOf(config.pinModel)
	required, requiredKnown := requiredPlatformsOf(config.pinModel)
	if !known || !requiredKnown || (sel.Repository == "" && r.data.repositoryUnknown) {
		return // resolved at apply, when the configuration is known
	}
	if req.State.Raw.IsNull() {
		r.planResolved(ctx, sel.effective(r.data.defaultRepository), !config.Repository.IsNull(), required, &plan, resp)
		return
	}
	var state pinResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	repository := r.providerRepository(ctx, req.Private)
	if sel.Repository == "" && repository != r.data.defaultRepository {
		resp.Diagnostics.AddWarning("Provider Repository Changed Since the Refresh",
			fmt.Sprintf("The provider's repository is %q in this run (the provider block's repository, else %s), but the pin %s was last refreshed, or created, "+
				"under %q, and this plan keeps to that one: a saved plan is applied as it was shown, and a plan with -refresh=false resolves nothing anew. "+
				"The next plan that refreshes the pin takes %q as a changed repository.",
				r.data.defaultRepository, repositoryEnv, pinnedRef(state), repository, r.data.defaultRepository))
	}
	sel = sel.effective(repository)
	previous, diags := storedSelector(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	sel = withoutFilledIn(sel, previous)
	if resp.Private != nil {
		resp.Diagnostics.Append(storeSelectorKey(ctx, resp.Private, privatePlannedSelectorKey, sel)...)
	}
	state.upstream = storedUpstreamPlatforms(ctx, req.Private)
	// A refresh that failed left upstream_* as an earlier one recorded it,
	// unless this plan resolved upstream itself (adoptImported).
	state.stale = unchecked(ctx, req.Private)
	adopted := previous == nil && r.adoptTagOfDigestImport(ctx, sel, &state, resp)
	if adopted {
		previous, state.stale = &sel, false
	}
	if previous != nil && previous.Imported && !sameTag(*previous, sel) && r.adoptImported(ctx, sel, &state, plan, resp) {
		previous, state.stale, adopted = &sel, false, true
	}
	if adopted {
		defer upstreamKnownAtApply(ctx, resp)
	}
	if previous == nil || !sameTag(*previous, sel) {
		r.planResolved(ctx, sel, !config.Repository.IsNull(), required, &plan, resp)
		return
	}

	// Same selector: the pin holds unless the last refresh saw upstream move.
	// The plan keeps the pin known even when something else (on_drift,
	// platform, required_platforms) changes, since Update calls no registry.
	keepPin(&plan, state)
	respell(&plan, sel.Repository)
	if !r.checkPinnedPlatforms(ctx, sel, required, state, &plan, resp) {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	platformsKnownAtApply(ctx, req, plan, resp)
	if state.upstreamAtApply {
		// Terraform plans again at apply, with the credentials, and would
		// stop the apply had this plan shown the pin held where that plan
		// follows upstream: whether it moves is known only then.
		if plan.OnDrift.IsUnknown() || plan.OnDrift.ValueString() == onDriftUpdate {
			pinKnownAfterApply(&plan, config)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
		return
	}
	// After a failed refresh the pin stays as it was (its warning says
	// so), not moved to an upstream this run did not see.
	if !drifted(state) || state.stale {
		return
	}
	if gone := pinnedTagGone(sel, state); gone != "" {
		resp.Diagnostics.AddWarning("Pinned Tag No Longer Published", gone)
		return
	}
	if plan.OnDrift.IsUnknown() {
		// Whether the pin follows is on_drift's to say, and it is known only
		// at apply: a guess here would show the wrong pin, and Terraform
		// refuses an apply whose plan differs from this one.
		pinKnownAfterApply(&plan, config)
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	r.planDrift(ctx, sel, required, state, &plan, resp)
}

// withoutFilledIn drops from sel what Terraform copied into the
// configuration from the state under lifecycle { ignore_changes }: with
// "all", or naming tag or flavor, the configuration handed to the plan
// holds the state's values of those, which the provider filled in (the
// tag a selector picked, the flavor of a pinned tag). A configuration as
// written never has tag beside a selector attribute (the validators refuse
// it), so that pair is the mark: for a pin recorded with a selector, the
// tag is the filled-in part; for one recorded with a tag, the selector
// attributes are. Taken as written, the pair was a changed selector, and
// the plan moved the pin onto a re-push of its tag whatever on_drift said.
func withoutFilledIn(sel selector, previous *selector) selector {
	if previous == nil || sel.Tag == "" ||
		(sel.PrefectVersion == "" && sel.PythonVersion == "" && sel.Flavor == "" && !sel.AllowPrereleases) {
		return sel
	}
	if previous.Tag == "" {
		sel.Tag = ""
		return sel
	}
	sel.PrefectVersion, sel.PythonVersion, sel.Flavor, sel.AllowPrereleases = "", "", "", false
	return sel
}

// adoptImported takes the configured selector as the imported pin's own
// when the pinned tag meets it: what the selector picks now becomes
// upstream (in state, for this plan), so that a re-push of the imported
// tag, or a newer release, is drift that on_drift decides, and an image
// imported to hold it holds under "warn" and "error". A selector the
// pinned tag does not meet, or another repository, is a changed selector.
// It reports whether it adopted the selector.
func (r *pinResource) adoptImported(ctx context.Context, sel selector, state *pinResourceModel, plan pinResourceModel, resp *resource.ModifyPlanResponse) bool {
	pinned := state.Tag.ValueString()
	if sel.Tag != "" || pinned == "" || !registry.SameRepository(sel.Repository, state.Repository.ValueString()) {
		return false
	}
	rreq, err := sel.request("")
	if err != nil {
		return false
	}
	if _, err := prefecttag.NewCatalog([]string{pinned}).Select(rreq.Selector); err != nil {
		return false
	}
	rreq.Platform = "" // the index digest is what drift is judged on, as at refresh
	// What a refresh saw of the imported tag alone (at import, say) would
	// move the pin, or fail the plan, on half an answer.
	r.watchImported(ctx, rreq, state, resp, "the selector for the imported pin %s", "selector")
	state.AllowPrereleases = plan.AllowPrereleases // recorded as false by the import
	return true
}

// watchImported records as upstream, in state for this plan, what rreq
// resolves to now, so that a pin it no longer resolves to is drift. When
// it cannot be resolved, this plan judges no drift: upstream is the pin
// itself, and a warning says what (a format naming the pin) could not be
// resolved and that the next plan resolves the selector's kind again.
func (r *pinResource) watchImported(ctx context.Context, rreq resolver.Request, state *pinResourceModel, resp *resource.ModifyPlanResponse, what, kind string) {
	pin, err := r.data.resolver.Resolve(ctx, rreq)
	if block, pending := r.data.credentialsPending(rreq.Repository); err != nil && pending {
		// The plan at apply resolves it with the credentials: held here,
		// the pin would differ from that plan's whenever upstream moved.
		state.UpstreamTag, state.UpstreamDigest = state.Tag, state.Digest
		state.upstreamAtApply = true
		resp.Diagnostics.AddWarning("Upstream Image Not Checked",
			fmt.Sprintf("Could not resolve "+what+", without %s, which depends on a value known only after apply; "+
				"the apply resolves the "+kind+" with it. Under on_drift = \"update\" the pin is known after apply and follows upstream if it moved; "+
				"under \"warn\" it holds as imported, and the apply warns if upstream moved; under \"error\" the apply stops if it did. %s",
				pinnedRef(*state), pendingBlock(block), resolveErrorDetail(err)))
		return
	}
	if err != nil {
		state.UpstreamTag, state.UpstreamDigest = state.Tag, state.Digest
		resp.Diagnostics.AddWarning("Upstream Image Not Checked",
			fmt.Sprintf("Could not resolve "+what+", so the pin holds as imported and the plan goes on; "+
				"the next plan resolves the "+kind+" again. %s",
				pinnedRef(*state), resolveErrorDetail(err)))
		return
	}
	state.UpstreamTag, state.UpstreamDigest = types.StringValue(pin.Tag), types.StringValue(pin.Digest)
}

// adoptTagOfDigestImport takes the configured tag as the tag of a pin
// imported by digest alone (no tag in state, none recorded to watch), as
// if it had been imported as repository:tag@digest: the digest is held, and
// what the tag points at now becomes upstream (in state, for this plan), so
// that a digest the tag no longer points at is drift, which on_drift
// decides. Without this the configured tag was a changed selector and the
// pin moved to the tag's current digest under "warn" and "error" alike, with
// no word. Another repository, or a selector other than tag, is left as a
// changed selector: a bare digest meets no version constraint. It reports
// whether it adopted the tag.
func (r *pinResource) adoptTagOfDigestImport(ctx context.Context, sel selector, state *pinResourceModel, resp *resource.ModifyPlanResponse) bool {
	if sel.Tag == "" || !state.Tag.IsNull() || state.Digest.IsNull() || !registry.SameRepository(sel.Repository, state.Repository.ValueString()) {
		return false
	}
	repo, digest := state.Repository.ValueString(), state.Digest.ValueString()
	rreq := resolver.Request{Repository: repo, Tag: sel.Tag}
	if diags := state.setResults(ctx, rreq, resolver.PinOf(repo, sel.Tag, digest)); diags.HasError() {
		resp.Diagnostics.Append(diags...)
		return false
	}
	state.Tag = types.StringValue(sel.Tag)
	r.watchImported(ctx, rreq, state, resp, "the tag of %s, imported by digest", "tag")
	return true
}

// privatePlannedUpstreamKey holds the upstream_tag and upstream_digest a
// plan resolved itself (upstreamKnownAtApply), for Update to write.
const privatePlannedUpstreamKey = "planned_upstream"

// plannedUpstream is what a plan resolved upstream to; Tag is "" for none.
type plannedUpstream struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
}

// upstreamKnownAtApply plans upstream_tag and upstream_digest as known
// after apply when this plan resolved upstream itself (a pin just
// imported, whose refresh watched only the imported tag), and keeps what
// it resolved in the planned private state for Update. Terraform plans
// again at apply, from the same refreshed state, and stops the apply when
// that plan differs from the one shown: upstream resolved again then may
// differ though the pin holds as shown (on_drift = "warn"), and
// upstream_* only records it. The pin itself stays known, so a pin that
// would move at apply is still refused.
func upstreamKnownAtApply(ctx context.Context, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() || resp.Private == nil {
		return
	}
	var tag, digest types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("upstream_tag"), &tag)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("upstream_digest"), &digest)...)
	if resp.Diagnostics.HasError() || digest.IsUnknown() || digest.IsNull() || tag.IsUnknown() {
		return
	}
	raw, _ := json.Marshal(plannedUpstream{Tag: tag.ValueString(), Digest: digest.ValueString()}) // strings only: it cannot fail
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlannedUpstreamKey, raw)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("upstream_tag"), types.StringUnknown())...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("upstream_digest"), types.StringUnknown())...)
}

// takePlannedUpstream fills upstream_* that the plan left unknown with
// what it resolved (upstreamKnownAtApply), else with the pin itself, and
// removes the record.
func takePlannedUpstream(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, plan *pinResourceModel) {
	if !plan.UpstreamDigest.IsUnknown() && !plan.UpstreamTag.IsUnknown() {
		return
	}
	plan.UpstreamTag, plan.UpstreamDigest = plan.Tag, plan.Digest
	var up plannedUpstream
	if takePlanned(ctx, req, resp, privatePlannedUpstreamKey, &up) && up.Digest != "" {
		plan.UpstreamTag, plan.UpstreamDigest = optionalString(up.Tag), types.StringValue(up.Digest)
	}
}

// takePlanned decodes into v what a plan kept for Update under key in the
// planned private state, reporting whether there was such a record, and
// removes it.
func takePlanned(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, key string, v any) bool {
	raw, diags := req.Private.GetKey(ctx, key)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, key, nil)...)
	return len(raw) > 0 && json.Unmarshal(raw, v) == nil
}

// privatePlannedSelectorKey holds the selector a plan of an existing pin
// judged, for Update to record as the pin's (privateSelectorKey).
// Terraform plans with the attributes named in lifecycle { ignore_changes }
// as the state holds them, but hands the apply the configuration as
// written: recorded from that, an edited, ignored constraint became the
// pin's selector, which the next refresh resolved and the next plan took
// for a changed one.
const privatePlannedSelectorKey = "planned_selector"

// takePlannedSelector returns the selector the plan judged
// (privatePlannedSelectorKey), else configured, and removes the record.
func takePlannedSelector(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, configured selector) selector {
	planned, diags := storedSelectorKey(ctx, req.Private, privatePlannedSelectorKey)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlannedSelectorKey, nil)...)
	if planned == nil {
		return configured
	}
	return *planned
}

// pinKnownAfterApply marks what drift can change as unknown: the pin,
// and tag unless the configuration names it.
func pinKnownAfterApply(plan *pinResourceModel, config pinResourceModel) {
	unknown := types.StringUnknown()
	plan.Digest, plan.Ref, plan.TaggedRef = unknown, unknown, unknown
	plan.ResolvedPrefectVersion, plan.ResolvedPythonVersion = unknown, unknown
	plan.PlatformDigest, plan.PlatformRef = unknown, unknown
	plan.PlatformDigests = types.MapUnknown(types.StringType)
	if config.Tag.IsNull() {
		plan.Tag = unknown
	}
}

// pinnedTagGone returns a warning's text when the last refresh resolved the
// unchanged selector to a tag that the selector ranks below the pinned one,
// else "". The pinned tag still meets the selector, so the selector would
// pick it (or a newer one) had the listing held it: it has been deleted
// upstream. That is neither drift on_drift follows (a re-push, a newer
// release) nor a reason to move the pin back to an older image; SPEC says
// of a tag gone during refresh that the pin stays and a warning says why.
func pinnedTagGone(sel selector, state pinResourceModel) string {
	pinned, upstream := state.Tag.ValueString(), state.UpstreamTag.ValueString()
	if sel.Tag != "" || pinned == "" || upstream == "" || pinned == upstream {
		return ""
	}
	rreq, err := sel.request("")
	if err != nil {
		return ""
	}
	// Let the selection itself rank the two tags.
	best, err := prefecttag.NewCatalog([]string{pinned, upstream}).Select(rreq.Selector)
	if err != nil || best.Name != pinned {
		return ""
	}
	repo := state.Repository.ValueString()
	return fmt.Sprintf("The pinned tag %s:%s is no longer in the repository's tag list, so the selector now picks the older %s:%s (%s). "+
		"The pin holds %s whatever on_drift says: a deleted tag is no upstream move to follow back to an older image. "+
		"Change the selector to move the pin; otherwise on_drift decides again once the tag is back or a newer release meets the selector.",
		repo, pinned, repo, upstream, state.UpstreamDigest.ValueString(), pinnedRef(state))
}

// planResolved resolves the selector now and plans the pin with known
// values; when the registry's credentials are known only at apply, it
// leaves the pin known after apply (Terraform has planned it so), to be
// resolved with them: without them, a private registry refuses the plan
// every time, and nothing creates what they depend on.
func (r *pinResource) planResolved(ctx context.Context, sel selector, written bool, required []string, plan *pinResourceModel, resp *resource.ModifyPlanResponse) {
	if _, pending := r.data.credentialsPending(sel.Repository); pending {
		return
	}
	if err := r.resolveInto(ctx, sel, required, "", plan); err != nil {
		addResolveError(&resp.Diagnostics, err, sel, written, true)
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// sameTag reports whether two selectors pick the same tag: platform only
// says which of the image's manifests platform_digest names, so adding,
// changing or removing it keeps the pin, as required_platforms does,
// instead of resolving the selector again past on_drift. Nor does a
// constraint respelled with the same clauses: white space ("~> 3.4.0" and
// "~>3.4.0"), clause order (">= 3.1, < 3.4" and "<3.4,>=3.1"), or an
// equality bare, "=" or "==" ("3.12" and "==3.12"). Nor does the
// repository respelled (registry.SameRepository: prefecthq/prefect and
// docker.io/prefecthq/prefect, a host's case): the plan keeps the pin and
// respells it as configured (respell).
func sameTag(a, b selector) bool {
	a.Platform, b.Platform = "", ""
	a.Imported, b.Imported = false, false
	if registry.SameRepository(a.Repository, b.Repository) {
		a.Repository, b.Repository = "", ""
	}
	if sameConstraint(a.PrefectVersion, b.PrefectVersion, prefecttag.ParseConstraint) {
		a.PrefectVersion, b.PrefectVersion = "", ""
	}
	if sameConstraint(a.PythonVersion, b.PythonVersion, prefecttag.ParsePythonConstraint) {
		a.PythonVersion, b.PythonVersion = "", ""
	}
	return a == b
}

// sameConstraint reports whether a and b parse to the same clauses; text
// that does not parse (validation stops it first) is the same only when it
// differs in white space alone.
func sameConstraint[C interface{ Same(C) bool }](a, b string, parse func(string) (C, error)) bool {
	ca, errA := parse(a)
	cb, errB := parse(b)
	if errA != nil || errB != nil {
		return withoutSpace(a) == withoutSpace(b)
	}
	return ca.Same(cb)
}

// withoutSpace is s without its white space.
func withoutSpace(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// checkPinnedPlatforms gives the kept pin its platform_digests when platform
// or required_platforms is set (reading them once, with a GET, for a pin
// recorded without them: imported, or platform or required_platforms newly
// set), and null when neither is, and platform_digest and platform_ref for
// platform from them. A pinned image that lacks a required platform, or
// platform, fails the plan: nothing upstream is to blame and holding it
// guards nothing, unless on_drift = "update" follows upstream to an image
// that has them all (followGoodUpstream). It returns false when it has
// failed the plan, or planned that move.
func (r *pinResource) checkPinnedPlatforms(ctx context.Context, sel selector, required []string, state pinResourceModel, plan *pinResourceModel, resp *resource.ModifyPlanResponse) bool {
	plan.PlatformDigest, plan.PlatformRef = types.StringNull(), types.StringNull()
	if sel.Platform == "" && len(required) == 0 {
		plan.PlatformDigests = types.MapNull(types.StringType)
		return true
	}
	// What the pinned index lists besides images, known when read here or
	// by the refresh: an index of attestations alone says so.
	_, notImages := state.platformsAt(plan.Digest.ValueString())
	if plan.PlatformDigests.IsNull() || plan.PlatformDigests.IsUnknown() {
		p, err := r.data.resolver.Platforms(ctx, plan.Repository.ValueString(), plan.Digest.ValueString())
		notImages = p.NotImages
		plan.platformsRead, plan.platformsUnread = true, err != nil
		if _, pending := r.data.credentialsPending(sel.Repository); err != nil && pending {
			// Read at apply, with the credentials, as planResolved leaves
			// a pin: planned null, the plan at apply would read them, and
			// Terraform refuse it ("inconsistent final plan").
			plan.PlatformDigests = types.MapUnknown(types.StringType)
			if sel.Platform != "" {
				plan.PlatformDigest, plan.PlatformRef = types.StringUnknown(), types.StringUnknown()
			}
			return true
		}
		if err != nil && sel.Platform != "" {
			resp.Diagnostics.AddAttributeError(path.Root("platform"), resolveErrorSummary(err),
				fmt.Sprintf("Could not read the platforms of %s, so platform_digest cannot be planned. %s", pinnedRef(*plan), resolveErrorDetail(err)))
			return false
		}
		if err != nil {
			plan.PlatformDigests = types.MapNull(types.StringType)
			resp.Diagnostics.AddWarning("Required Platforms Not Checked",
				fmt.Sprintf("Could not read the platforms of %s, so this plan does not check required_platforms against it "+
					"and platform_digests stays empty (an apply of this plan reads them again); the next plan tries again. %s", pinnedRef(*plan), resolveErrorDetail(err)))
			return true
		}
		var diags diag.Diagnostics
		plan.PlatformDigests, diags = types.MapValueFrom(ctx, types.StringType, p.ByPlatform)
		resp.Diagnostics.Append(diags...)
	}
	platforms := platformsOf(plan.PlatformDigests)
	has := resolver.PlatformsHeld(platforms, notImages)
	if missing := resolver.MissingPlatforms(platforms, required); missing != nil {
		if r.followGoodUpstream(ctx, sel, required, state, *plan, resp) {
			return false
		}
		resp.Diagnostics.AddError("Image Lacks Required Platforms",
			fmt.Sprintf("The pin holds %s, which lacks the required %s; it has %s. required_platforms holds for the pinned image too. %s",
				pinnedRef(*plan), strings.Join(missing, ", "), has,
				excludeAdvice(plan.ResolvedPrefectVersion.ValueString(), sel)))
		return false
	}
	if sel.Platform != "" {
		digest, ok := resolver.MatchPlatform(platforms, sel.Platform)
		if !ok {
			if r.followGoodUpstream(ctx, sel, required, state, *plan, resp) {
				return false
			}
			if same := resolver.AmbiguousPlatforms(platforms, sel.Platform); same != nil {
				resp.Diagnostics.AddAttributeError(path.Root("platform"), "Platform Published Twice in the Image",
					fmt.Sprintf("The pin holds %s, which lists %s with different images, %s",
						pinnedRef(*plan), strings.Join(same, " and "), resolver.AmbiguityAdvice(same, sel.Platform)))
				return false
			}
			advice := "Set platform to one of those."
			if len(platforms) == 0 {
				advice = "Remove platform to pin the tag's digest alone, or choose another tag."
			}
			resp.Diagnostics.AddAttributeError(path.Root("platform"), "Platform Not Published for the Image",
				fmt.Sprintf("The pin holds %s, which has no image for platform %q; it has %s. %s",
					pinnedRef(*plan), sel.Platform, has, advice))
			return false
		}
		plan.PlatformDigest = types.StringValue(digest)
		plan.PlatformRef = types.StringValue(resolver.ImageRef(plan.Repository.ValueString(), "", digest))
	}
	return true
}

// platformsKnownAtApply plans platform_digests as known after apply when
// this plan read the kept pin's platforms from the registry (required_platforms
// newly set, or a pin just imported), unless the read failed in a plan that
// changes nothing else (it stays null, and the warning says why). Terraform
// plans again at apply and reads them again there: a map planned here, and
// a read that failed there, or null planned here, and a read that succeeded
// there, and Terraform stopped the apply with "Provider produced
// inconsistent final plan". The digest's platforms do not change, and
// whether the pinned image has every required one was checked here. What
// was read is kept in the planned private state, where Update, which asks
// no registry, takes what the plan at apply read (takePlannedPlatforms):
// the platforms, or null, with the warning, when it could not read them.
func platformsKnownAtApply(ctx context.Context, req resource.ModifyPlanRequest, plan pinResourceModel, resp *resource.ModifyPlanResponse) {
	if resp.Diagnostics.HasError() || resp.Private == nil || !plan.platformsRead || (plan.platformsUnread && resp.Plan.Raw.Equal(req.State.Raw)) {
		return
	}
	var raw []byte
	if !plan.platformsUnread {
		raw, _ = json.Marshal(platformsOf(plan.PlatformDigests)) // strings only: it cannot fail
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePlannedPlatformsKey, raw)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("platform_digests"), types.MapUnknown(types.StringType))...)
}

// privatePlannedPlatformsKey holds the platforms of the kept pin that a
// plan read (platformsKnownAtApply), for Update to write.
const privatePlannedPlatformsKey = "planned_platform_digests"

// takePlannedPlatforms fills platform_digests that the plan left unknown
// with what it read (platformsKnownAtApply), else null, and removes the
// record.
func takePlannedPlatforms(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse, plan *pinResourceModel) {
	if !plan.PlatformDigests.IsUnknown() {
		return
	}
	plan.PlatformDigests = types.MapNull(types.StringType)
	var platforms map[string]string
	if takePlanned(ctx, req, resp, privatePlannedPlatformsKey, &platforms) && platforms != nil {
		var diags diag.Diagnostics
		plan.PlatformDigests, diags = types.MapValueFrom(ctx, types.StringType, platforms)
		resp.Diagnostics.Append(diags...)
	}
}

// followGoodUpstream plans the pin onto upstream's image when the pinned
// one lacks a required platform or platform (imported, or pinned before
// they were set) and the last refresh saw upstream move, under on_drift =
// "update", to an image that has them all: following mends the pin, where failing
// would leave the user to exclude the very release upstream has fixed. It
// reports whether it planned the move; a refresh that failed (upstream_*
// is then an earlier one's), a deleted pinned tag, another on_drift, or an
// upstream image that lacks a platform too or cannot be read, plans nothing.
func (r *pinResource) followGoodUpstream(ctx context.Context, sel selector, required []string, state, plan pinResourceModel, resp *resource.ModifyPlanResponse) bool {
	if !drifted(state) || state.stale || plan.OnDrift.IsUnknown() || plan.OnDrift.ValueString() != onDriftUpdate || pinnedTagGone(sel, state) != "" {
		return false
	}
	next := plan
	if err := r.upstreamInto(ctx, sel, required, state, &next); err != nil {
		return false
	}
	tflog.Info(ctx, "the pinned image lacks a required platform; planning the pin to follow upstream, which has them all",
		map[string]any{"drift": describeDrift(state)})
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &next)...)
	return true
}

// planDrift decides what a plan does when upstream no longer matches the
// pin. With platform or required_platforms, upstream's image is read
// first: one that lacks a required platform is never followed (the pin
// holds, and the plan warns, or fails under on_drift = "error"), and the
// drift text names each platform that changed.
func (r *pinResource) planDrift(ctx context.Context, sel selector, required []string, state pinResourceModel, plan *pinResourceModel, resp *resource.ModifyPlanResponse) {
	onDrift := plan.OnDrift.ValueString()
	if onDrift != onDriftWarn && onDrift != onDriftError {
		onDrift = onDriftUpdate
	}
	drift := describeDrift(state)
	var follow *pinResourceModel
	if onDrift == onDriftUpdate || sel.Platform != "" || len(required) > 0 {
		next := *plan
		err := r.upstreamInto(ctx, sel, required, state, &next)
		var missing *resolver.MissingPlatformsError
		var lacking *resolver.PlatformError
		switch {
		case errors.As(err, &missing):
			holdMissing(drift, missing, sel, *plan, onDrift, resp)
			return
		case errors.As(err, &lacking):
			holdLacking(drift, err, sel.Platform, *plan, onDrift, resp)
			return
		case err != nil && onDrift == onDriftUpdate:
			// What upstream moved to first: the error may name its
			// digest alone (its platforms are read by digest).
			resp.Diagnostics.AddWarning("Upstream Image Not Checked",
				fmt.Sprintf("%s Upstream's image could not be checked as configured, so the pin %s holds; the next plan tries again. %s",
					drift, pinnedRef(*plan), resolveErrorDetail(err)))
			return
		case err != nil:
			drift += fmt.Sprintf(" Upstream's image could not be checked as configured: %s", resolveErrorDetail(err))
		default:
			follow = &next
			drift += platformChangesSentence(plan.PlatformDigests, platformsOf(next.PlatformDigests))
		}
	}
	switch onDrift {
	case onDriftWarn:
		resp.Diagnostics.AddWarning("Upstream Image Moved", drift+" on_drift = \"warn\" keeps the pin; set on_drift = \"update\" to follow, or update the selector.")
	case onDriftError:
		resp.Diagnostics.AddError("Upstream Image Moved", drift+" on_drift = \"error\" stops the plan; set on_drift = \"update\" to follow, or \"warn\" to hold the pin.")
	default:
		tflog.Info(ctx, "upstream moved; planning the pin to follow", map[string]any{"drift": drift})
		resp.Diagnostics.Append(resp.Plan.Set(ctx, follow)...)
	}
}

// holdMissing keeps the pin (already planned as it is) when upstream's
// image lacks a required platform, and says so: a warning, or under
// on_drift = "error" an error.
func holdMissing(drift string, missing *resolver.MissingPlatformsError, sel selector, plan pinResourceModel, onDrift string, resp *resource.ModifyPlanResponse) {
	detail := fmt.Sprintf("%s%s The new image %s lacks the required %s; it has %s. So the pin holds %s",
		drift, platformChangesSentence(plan.PlatformDigests, missing.Platforms),
		missing.Ref(), strings.Join(missing.Missing, ", "), missing.Has(), pinnedRef(plan))
	if pinned := platformsOf(plan.PlatformDigests); pinned != nil {
		detail += ", which has " + resolver.PlatformList(pinned)
	}
	detail += ". "
	reportHold(resp, "Upstream Image Lacks Required Platforms", detail, onDrift,
		"on_drift = \"update\" follows upstream again once its image has every required platform.",
		excludeAdvice(missing.PrefectVersion, sel))
}

// holdLacking keeps the pin when upstream's image has no image for
// platform, or lists it twice, and says so as holdMissing does: the image
// was read, so neither "not checked" nor following under "update" fits.
func holdLacking(drift string, err error, platform string, plan pinResourceModel, onDrift string, resp *resource.ModifyPlanResponse) {
	detail := fmt.Sprintf("%s %s So the pin %s holds. ", drift, resolveErrorDetail(err), pinnedRef(plan))
	reportHold(resp, resolveErrorSummary(err), detail, onDrift,
		fmt.Sprintf("on_drift = \"update\" follows upstream again once its image has platform %q.", platform), "")
}

// reportHold says that the pin holds against upstream's image, detail
// first: under on_drift = "error" an error that stops the plan, else a
// warning; then what on_drift does (underUpdate under "update"), then
// advice, if any.
func reportHold(resp *resource.ModifyPlanResponse, summary, detail, onDrift, underUpdate, advice string) {
	add, says := resp.Diagnostics.AddWarning, underUpdate
	switch onDrift {
	case onDriftError:
		add, says = resp.Diagnostics.AddError, "on_drift = \"error\" stops the plan; set on_drift = \"update\" or \"warn\" to hold the pin with a warning."
	case onDriftWarn:
		says = "on_drift = \"warn\" holds the pin in any case."
	}
	if advice != "" {
		says += " " + advice
	}
	add(summary, detail+says)
}

// pinnedRef names the pin: repository:tag@digest, or repository@digest.
func pinnedRef(m pinResourceModel) string {
	if m.TaggedRef.IsNull() || m.TaggedRef.IsUnknown() {
		return m.Ref.ValueString()
	}
	return m.TaggedRef.ValueString()
}

// platformsAt returns the platforms of the image at digest when this run
// has them without asking the registry: the pinned image's own, or those
// the last refresh recorded with its count of entries that are no image
// (0 when not known); else nil.
func (m pinResourceModel) platformsAt(digest string) (map[string]string, int) {
	if m.upstream != nil && m.upstream.Digest == digest {
		return m.upstream.Platforms, m.upstream.NotImages
	}
	if digest == m.Digest.ValueString() {
		return platformsOf(m.PlatformDigests), 0
	}
	return nil, 0
}

// resolveInto resolves the selector (or, when tag is set, that tag in the
// selector's repository), checking the required platforms, and writes the
// pin and upstream_* into m.
func (r *pinResource) resolveInto(ctx context.Context, sel selector, required []string, tag string, m *pinResourceModel) error {
	rreq, err := sel.request(r.data.defaultRepository)
	if err != nil {
		return err
	}
	if tag != "" {
		rreq.Tag = tag
	}
	rreq.RequiredPlatforms = required
	pin, err := r.data.resolver.Resolve(ctx, rreq)
	if err != nil {
		return err
	}
	if diags := m.setResults(ctx, rreq, pin); diags.HasError() {
		return fmt.Errorf("recording the pin of %s: %v", pin.TaggedRef, diags)
	}
	m.UpstreamTag = types.StringValue(pin.Tag)
	m.UpstreamDigest = types.StringValue(pin.Digest)
	return nil
}

// upstreamInto writes into m the pin of what the last refresh recorded in
// upstream_tag and upstream_digest, reading the image's platforms by that
// digest when platform or required_platforms is set, and checking them as
// resolveInto does. It asks no tag of the registry: Terraform plans again
// at apply, from the same refreshed state, and refuses a plan that differs
// from the one shown (a saved plan applied after the tag moved once more),
// so the pin must follow upstream_* as recorded; a digest names the same
// image at plan and at apply. A later move is seen by the next refresh.
// The platforms come from the refresh when it recorded them: the registry
// may fail between plan and apply, and the apply's plan must not differ.
func (r *pinResource) upstreamInto(ctx context.Context, sel selector, required []string, state pinResourceModel, m *pinResourceModel) error {
	req := resolver.Request{Repository: sel.Repository, Platform: sel.Platform, RequiredPlatforms: required}
	tag, digest := state.UpstreamTag.ValueString(), state.UpstreamDigest.ValueString()
	var pin resolver.Pin
	var err error
	if platforms, notImages := state.platformsAt(digest); platforms != nil {
		pin, err = resolver.PinWithPlatforms(req, tag, digest, platforms, notImages)
	} else if state.upstream != nil && state.upstream.Unread != "" && state.upstream.Digest == digest {
		return errors.New(state.upstream.Unread)
	} else {
		pin, err = r.data.resolver.PinAt(ctx, req, tag, digest)
	}
	if err != nil {
		return err
	}
	if diags := m.setResults(ctx, req, pin); diags.HasError() {
		return fmt.Errorf("recording the pin of %s: %v", pin.TaggedRef, diags)
	}
	m.UpstreamTag, m.UpstreamDigest = state.UpstreamTag, state.UpstreamDigest
	return nil
}

// keepPin copies the pin and its refresh results from state into the plan.
func keepPin(plan *pinResourceModel, state pinResourceModel) {
	onDrift := plan.OnDrift
	selectorPart := plan.pinModel
	plan.pinModel = state.pinModel
	// What the user configured stays as planned; only results come from state.
	plan.PrefectVersion, plan.PythonVersion, plan.Platform = selectorPart.PrefectVersion, selectorPart.PythonVersion, selectorPart.Platform
	plan.RequiredPlatforms = selectorPart.RequiredPlatforms
	plan.OnDrift = onDrift
	plan.UpstreamTag, plan.UpstreamDigest = state.UpstreamTag, state.UpstreamDigest
}

// respell writes the kept pin with repository spelled as configured, when
// the configuration spells the same repository otherwise than the state
// (sameTag): ref, tagged_ref and platform_ref spell the repository as
// configured, and the tag and digest are the pin's own.
func respell(plan *pinResourceModel, repository string) {
	if repository == "" || plan.Repository.ValueString() == repository {
		return
	}
	plan.Repository = types.StringValue(repository)
	digest := plan.Digest.ValueString()
	plan.Ref = types.StringValue(resolver.ImageRef(repository, "", digest))
	if !plan.TaggedRef.IsNull() {
		plan.TaggedRef = types.StringValue(resolver.ImageRef(repository, plan.Tag.ValueString(), digest))
	}
	if !plan.PlatformRef.IsNull() && !plan.PlatformDigest.IsNull() {
		plan.PlatformRef = types.StringValue(resolver.ImageRef(repository, "", plan.PlatformDigest.ValueString()))
	}
}

func drifted(state pinResourceModel) bool {
	if state.UpstreamDigest.IsNull() || state.UpstreamDigest.IsUnknown() {
		return false
	}
	return state.UpstreamDigest.ValueString() != state.Digest.ValueString() ||
		(!state.UpstreamTag.IsNull() && state.UpstreamTag.ValueString() != state.Tag.ValueString())
}

// describeDrift says which of the two kinds of move happened, naming the old
// and new tag and digest.
func describeDrift(state pinResourceModel) string {
	repo := state.Repository.ValueString()
	oldTag, newTag := state.Tag.ValueString(), state.UpstreamTag.ValueString()
	oldDigest, newDigest := state.Digest.ValueString(), state.UpstreamDigest.ValueString()
	if oldTag == newTag {
		return fmt.Sprintf("The tag %s:%s was re-pushed upstream: it now points at %s, while the pin holds %s.",
			repo, oldTag, newDigest, oldDigest)
	}
	kind := "A newer release"
	// A selector without python_version takes the highest Python of its
	// release, so the move may be a new image of the pinned release.
	if pinned, ok := releaseOf(oldTag); ok {
		if upstream, ok := releaseOf(newTag); ok && pinned.Version.Compare(upstream.Version) == 0 {
			kind = fmt.Sprintf("An image of the pinned release %s for a higher Python", pinned.Version)
		}
	}
	return fmt.Sprintf("%s now meets the selector: %s:%s (%s), while the pin holds %s:%s (%s).",
		kind, repo, newTag, newDigest, repo, oldTag, oldDigest)
}

// releaseOf parses a full-version tag such as 3.4.2-python3.12.
func releaseOf(tag string) (prefecttag.Tag, bool) {
	t, err := prefecttag.ParseTag(tag)
	return t, err == nil && t.Kind == prefecttag.KindRelease
}

func (r *pinResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config pinResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sel, _ := selectorOf(config.pinModel)
	sel = sel.effective(r.data.defaultRepository)
	if plan.Digest.IsUnknown() {
		// The selector was not known at plan time: resolve it now.
		required, _ := requiredPlatformsOf(config.pinModel)
		if err := r.resolveInto(ctx, sel, required, "", &plan); err != nil {
			addResolveError(&resp.Diagnostics, err, sel, !config.Repository.IsNull(), true)
			return
		}
	}
	resp.Diagnostics.Append(storeSelector(ctx, resp.Private, sel)...)
	resp.Diagnostics.Append(r.recordProviderRepository(ctx, resp.Private)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Read resolves the selector again and records the answer in upstream_*
// only. A failure keeps everything as it was and warns: a refresh never
// removes or blanks a pin.
func (r *pinResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state pinResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.recordProviderRepository(ctx, resp.Private)...)
	sel, diags := storedSelector(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if sel == nil { // imported without a selector: watch the pinned tag
		sel = &selector{Repository: state.Repository.ValueString(), Tag: state.Tag.ValueString(), Platform: state.Platform.ValueString()}
		if sel.Tag == "" {
			return // a bare digest import has nothing upstream to watch
		}
	}
	rreq, err := sel.request(state.Repository.ValueString())
	if err != nil {
		resp.Diagnostics.Append(markUnchecked(ctx, resp.Private, true)...)
		resp.Diagnostics.AddWarning("Upstream Image Not Checked", err.Error())
		return
	}
	rreq.Repository = state.Repository.ValueString()
	rreq.Platform = "" // the index digest is what drift is judged on
	pin, err := r.data.resolver.Resolve(ctx, rreq)
	if err != nil {
		resp.Diagnostics.Append(markUnchecked(ctx, resp.Private, true)...)
		resp.Diagnostics.AddWarning("Upstream Image Not Checked",
			fmt.Sprintf("Could not check whether %s moved upstream, so the pin holds as it was and the plan goes on. %s%s",
				state.TaggedRef.ValueString(), resolveErrorDetail(err), r.data.pendingCredentialsNote(rreq.Repository)))
		return
	}
	state.UpstreamTag = types.StringValue(pin.Tag)
	state.UpstreamDigest = types.StringValue(pin.Digest)
	resp.Diagnostics.Append(markUnchecked(ctx, resp.Private, false)...)
	state.upstream = storedUpstreamPlatforms(ctx, req.Private)
	resp.Diagnostics.Append(storeUpstreamPlatforms(ctx, resp.Private, r.readUpstreamPlatforms(ctx, state))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readUpstreamPlatforms reads the platforms of the image upstream moved
// to, for a pin that keeps platform_digests (platform or
// required_platforms set), once per refresh as the plan read them before.
// Terraform plans again at apply from this refreshed state and its private
// state, and stops an apply whose plan differs from the one shown ("Provider
// produced inconsistent final plan"): recorded here, the platforms are the
// same in both plans, whatever the registry does in between. nil when
// upstream is the pinned image, or the read failed (the plan reads again).
// A digest names its platforms for good: what an earlier refresh recorded
// (state.upstream) for the same digest is kept without a GET, so a pin held
// off upstream (on_drift = "warn", or upstream lacking a required platform)
// costs no pull on every plan.
func (r *pinResource) readUpstreamPlatforms(ctx context.Context, state pinResourceModel) *upstreamPlatforms {
	digest := state.UpstreamDigest.ValueString()
	if digest == state.Digest.ValueString() || state.PlatformDigests.IsNull() || state.PlatformDigests.IsUnknown() {
		return nil
	}
	if platforms, notImages := state.platformsAt(digest); platforms != nil {
		return &upstreamPlatforms{Digest: digest, Platforms: platforms, NotImages: notImages}
	}
	p, err := r.data.resolver.Platforms(ctx, state.Repository.ValueString(), digest)
	if err != nil {
		tflog.Debug(ctx, "could not read the platforms of upstream's image at refresh; the plan holds the pin", map[string]any{"digest": digest})
		return &upstreamPlatforms{Digest: digest, Unread: resolveErrorDetail(err)}
	}
	return &upstreamPlatforms{Digest: digest, Platforms: p.ByPlatform, NotImages: p.NotImages}
}

// Update writes exactly the planned values; the plan resolved them.
func (r *pinResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, config pinResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Digest.IsUnknown() {
		resp.Diagnostics.AddError("Pin Not Resolved at Plan Time",
			"The selector depended on values unknown at plan time, so the plan could not resolve it. Apply again once those values are known.")
		return
	}
	takePlannedUpstream(ctx, req, resp, &plan)
	takePlannedPlatforms(ctx, req, resp, &plan)
	sel, _ := selectorOf(config.pinModel)
	resp.Diagnostics.Append(storeSelector(ctx, resp.Private, takePlannedSelector(ctx, req, resp, sel.effective(r.providerRepository(ctx, req.Private))))...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete only forgets: a pin owns nothing in any registry.
func (r *pinResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func (r *pinResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}
	if r.data != nil {
		// A pin to a digest the repository does not hold would be held
		// as if it were an image: nothing is imported unchecked.
		if err := r.data.resolver.CheckDigest(ctx, id.Repository, id.Digest); err != nil {
			summary := "Unable to Check the Imported Digest"
			if registry.IsNotFound(err) {
				summary = "Imported Digest Not Found"
			}
			resp.Diagnostics.AddError(summary, "Nothing was imported. "+resolveErrorDetail(err)+r.data.pendingCredentialsNote(id.Repository))
			return
		}
	}
	var model pinResourceModel
	model.Repository = types.StringValue(id.Repository)
	model.PrefectVersion, model.PythonVersion, model.Platform = types.StringNull(), types.StringNull(), types.StringNull()
	model.RequiredPlatforms = types.ListNull(types.StringType)
	model.AllowPrereleases = types.BoolValue(false)
	model.OnDrift = types.StringValue(onDriftUpdate)
	pin := resolver.PinOf(id.Repository, id.Tag, id.Digest)
	rreq := resolver.Request{Repository: id.Repository, Tag: id.Tag}
	resp.Diagnostics.Append(model.setResults(ctx, rreq, pin)...)
	model.Tag = optionalString(id.Tag)
	model.UpstreamTag = optionalString(id.Tag)
	model.UpstreamDigest = types.StringValue(id.Digest)
	if id.Tag != "" {
		// Watch the imported tag until an apply records the configured selector.
		resp.Diagnostics.Append(storeSelector(ctx, resp.Private, selector{Repository: id.Repository, Tag: id.Tag, Imported: true})...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &model)...)
}

// UpgradeState is where upgraders from older schema versions go, keyed by
// the version they upgrade from. The schema is at version 0, so there are
// none yet.
func (r *pinResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{}
}

// privateState is what the framework's private state offers to each CRUD call.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// recordProviderRepository records the provider's repository as this run
// has it (privateRepositoryKey), or removes the record when it is known
// only at apply: the plan then takes the provider's own, once known.
func (r *pinResource) recordProviderRepository(ctx context.Context, private privateState) diag.Diagnostics {
	if private == nil {
		return nil
	}
	if r.data.repositoryUnknown {
		return private.SetKey(ctx, privateRepositoryKey, nil)
	}
	raw, _ := json.Marshal(r.data.defaultRepository) // a string: it cannot fail
	return private.SetKey(ctx, privateRepositoryKey, raw)
}

// providerRepository is the provider's repository for a plan of a pin in
// state: as its last refresh (or its create) recorded it, else the
// provider's own. The plan Terraform makes again at apply so decides what
// the saved plan showed, though the provider is configured anew there.
func (r *pinResource) providerRepository(ctx context.Context, private privateState) string {
	if private == nil {
		return r.data.defaultRepository
	}
	raw, diags := private.GetKey(ctx, privateRepositoryKey)
	var repository string
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &repository) != nil || repository == "" {
		return r.data.defaultRepository
	}
	return repository
}

func storedSelector(ctx context.Context, private privateState) (*selector, diag.Diagnostics) {
	return storedSelectorKey(ctx, private, privateSelectorKey)
}

func storedSelectorKey(ctx context.Context, private privateState, key string) (*selector, diag.Diagnostics) {
	if private == nil {
		return nil, nil
	}
	raw, diags := private.GetKey(ctx, key)
	if diags.HasError() || len(raw) == 0 {
		return nil, diags
	}
	var sel selector
	if err := json.Unmarshal(raw, &sel); err != nil {
		return nil, nil // unreadable: treat as unknown, the next apply rewrites it
	}
	return &sel, diags
}

// storedUpstreamPlatforms is what the last refresh recorded, nil when it
// recorded nothing or it cannot be read (the plan reads the registry then).
func storedUpstreamPlatforms(ctx context.Context, private privateState) *upstreamPlatforms {
	if private == nil {
		return nil
	}
	raw, diags := private.GetKey(ctx, privateUpstreamKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var up upstreamPlatforms
	if err := json.Unmarshal(raw, &up); err != nil || up.Digest == "" || (up.Platforms == nil && up.Unread == "") {
		return nil
	}
	return &up
}

// markUnchecked records whether this refresh failed to resolve upstream.
func markUnchecked(ctx context.Context, private privateState, failed bool) diag.Diagnostics {
	if private == nil {
		return nil
	}
	if !failed {
		return private.SetKey(ctx, privateUncheckedKey, nil)
	}
	return private.SetKey(ctx, privateUncheckedKey, []byte("true"))
}

// unchecked reports whether the last refresh failed to resolve upstream.
func unchecked(ctx context.Context, private privateState) bool {
	if private == nil {
		return false
	}
	raw, diags := private.GetKey(ctx, privateUncheckedKey)
	return !diags.HasError() && string(raw) == "true"
}

// storeUpstreamPlatforms records up, or removes the record when up is nil.
func storeUpstreamPlatforms(ctx context.Context, private privateState, up *upstreamPlatforms) diag.Diagnostics {
	if private == nil {
		return nil
	}
	if up == nil {
		return private.SetKey(ctx, privateUpstreamKey, nil)
	}
	raw, _ := json.Marshal(up) // strings only: it cannot fail
	return private.SetKey(ctx, privateUpstreamKey, raw)
}

func storeSelector(ctx context.Context, private privateState, sel selector) diag.Diagnostics {
	return storeSelectorKey(ctx, private, privateSelectorKey, sel)
}

func storeSelectorKey(ctx context.Context, private privateState, key string, sel selector) diag.Diagnostics {
	if private == nil {
		return nil
	}
	raw, err := json.Marshal(sel)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Record the Selector", err.Error())
		return diags
	}
	return private.SetKey(ctx, key, raw)
}
