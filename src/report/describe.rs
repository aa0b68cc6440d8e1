//! Labels shared by the writers: how a subject, a scope and a walked path read.

use std::cmp::Reverse;

use super::{Finding, Report};
use crate::catalog::RuleId;
use crate::inventory::SourceKind;
use crate::outcome::{Hop, Status, Subject};
use crate::severity::Severity;

/// The scope of a subject: `organization`, `account 1111`, `1111 / us-east-1`.
pub(super) fn scope_label(subject: &Subject) -> String {
    match (&subject.account, &subject.region) {
        (Some(account), Some(region)) => format!("{account} / {region}"),
        (Some(account), None) => account.clone(),
        (None, Some(region)) => format!("organization / {region}"),
        (None, None) => "organization".to_string(),
    }
}

/// What a subject is, for one line: the resource (`sns-topic gd-pager`), else its scope.
pub(super) fn subject_label(subject: &Subject) -> String {
    match &subject.resource {
        Some(resource) => format!("{} {}", resource.kind, resource.name),
        None => scope_label(subject),
    }
}

/// The short kind of a hop: `event-rule` → `rule`, `sns-topic` → `topic`.
pub(super) fn short_kind(kind: &str) -> &str {
    kind.rsplit('-').next().unwrap_or(kind)
}

/// A walked path without the break's explanation, which the finding's
/// message already gives: `rule gd-events → topic gd-pager ✗ → endpoint PagerDuty`.
pub(super) fn hop_chain(path: &[Hop]) -> String {
    path.iter()
        .map(|hop| {
            let mut part = format!("{} {}", short_kind(hop.kind.as_str()), hop.name);
            if !hop.ok {
                part.push_str(" ✗");
            }
            part
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The origin a finding points at, and the attribute inside it: its
/// resource, else (a route) the hop where its path breaks.
fn pointed_origin(finding: &Finding) -> Option<(&crate::inventory::Origin, Option<&str>)> {
    match &finding.outcome.subject.resource {
        Some(resource) => Some((&resource.origin, resource.attribute.as_deref())),
        None => finding
            .outcome
            .path
            .iter()
            .find(|h| !h.ok)
            .map(|hop| (&hop.origin, None)),
    }
}

/// The Terraform file and line a finding points at (the attribute's line
/// when known), if any.
pub(super) fn terraform_location(finding: &Finding) -> Option<&crate::inventory::SourceLocation> {
    let (origin, attribute) = pointed_origin(finding)?;
    origin.location_of(attribute)
}

/// Where a Terraform finding is: `sns.tf:160 aws_sns_topic.pagerduty_region`
/// (the attribute's line when known), the address alone when no file is
/// known (plan only), or `None` for live findings. A subject without a
/// resource (a route) is placed at the hop where its path breaks.
pub(super) fn terraform_place(finding: &Finding) -> Option<String> {
    let (origin, _) = pointed_origin(finding)?;
    let location = terraform_location(finding).map(|l| format!("{}:{}", l.file, l.line));
    match (location, origin.address.as_deref()) {
        (Some(at), Some(address)) => Some(format!("{at} {address}")),
        (Some(at), None) => Some(at),
        (None, Some(address)) => Some(address.to_string()),
        (None, None) => None,
    }
}

/// Where a top issue is, in one label: its Terraform place, else its scope and
/// resource (`1111 / eu-west-1 sns-topic gd-pager`), else its scope.
pub(super) fn top_place(finding: &Finding) -> String {
    if let Some(place) = terraform_place(finding) {
        return place;
    }
    let subject = &finding.outcome.subject;
    match &subject.resource {
        Some(resource) => format!(
            "{} {} {}",
            scope_label(subject),
            resource.kind,
            resource.name
        ),
        None => scope_label(subject),
    }
}

/// The label of a finding's line: its Terraform place when it has one, else
/// what its subject is.
pub(super) fn finding_label(finding: &Finding) -> String {
    terraform_place(finding).unwrap_or_else(|| subject_label(&finding.outcome.subject))
}

/// Lines of a list after identical not-assessed causes, and identical
/// failures in several scopes, are collapsed.
pub(super) enum Entry<'a> {
    /// One finding on its own line.
    One(&'a Finding),
    /// One failure that reads the same in several accounts or regions
    /// ([`repeats`]), on one line listing where.
    Repeated(Repeated<'a>),
    /// Not-assessed findings of one group with one cause, on one line.
    Many {
        /// The findings (the first gives the group and the status).
        findings: Vec<&'a Finding>,
        /// Their shared cause.
        cause: String,
    },
}

impl<'a> Entry<'a> {
    /// How many findings the line stands for.
    pub(super) fn len(&self) -> usize {
        match self {
            Entry::One(_) => 1,
            Entry::Repeated(r) => r.findings.len(),
            Entry::Many { findings, .. } => findings.len(),
        }
    }

    /// The first finding of the line.
    pub(super) fn first(&self) -> &'a Finding {
        match self {
            Entry::One(f) => f,
            Entry::Repeated(r) => r.findings[0],
            Entry::Many { findings, .. } => findings[0],
        }
    }
}

/// The cause a not-assessed finding shares with others of its group, and
/// how it reads on the collapsed line. A finding about a resource shares its
/// rule and the message after the first `: ` (`SCAN004` on ten expressions:
/// `the account is not known: set [terraform] account_id`); one about a
/// scope shares its whole message with other rules (`region not assessed
/// (SCAN002): …`).
fn cause_key(finding: &Finding) -> (String, String) {
    let message = &finding.outcome.message;
    match (&finding.outcome.subject.resource, message.split_once(": ")) {
        (Some(_), Some((_, tail))) => (
            format!("{}\u{0}{tail}", finding.outcome.rule),
            tail.to_string(),
        ),
        _ => (message.clone(), message.clone()),
    }
}

/// Collapse the not-assessed findings of one group that share a cause
/// ([`cause_key`]) into one entry, placed where the first of them was;
/// everything else stays one line each.
pub(super) fn collapse<'a>(listed: &[&'a Finding]) -> Vec<Entry<'a>> {
    use std::collections::HashMap;
    type Key<'k> = ((Option<&'k str>, Option<&'k str>), String);
    let not_assessed = |f: &Finding| f.status() == Status::NotAssessed;
    let mut counts: HashMap<Key<'a>, usize> = HashMap::new();
    for f in listed.iter().filter(|f| not_assessed(f)) {
        *counts.entry((group_of(f), cause_key(f).0)).or_default() += 1;
    }
    let mut out: Vec<Entry<'a>> = Vec::new();
    let mut open: HashMap<Key<'a>, usize> = HashMap::new();
    for f in listed.iter().copied() {
        let (key, cause) = cause_key(f);
        let key = (group_of(f), key);
        if !not_assessed(f) || counts.get(&key).is_none_or(|n| *n < 2) {
            out.push(Entry::One(f));
            continue;
        }
        match open.get(&key) {
            Some(&at) => {
                if let Entry::Many { findings, .. } = &mut out[at] {
                    findings.push(f);
                }
            }
            None => {
                open.insert(key, out.len());
                out.push(Entry::Many {
                    findings: vec![f],
                    cause,
                });
            }
        }
    }
    out
}

/// What a collapsed line covers: `3 rules not judged here (GD001, GD002,
/// SEC001)`, or `SCAN004   10 × terraform-expression (aws_sns_topic.a,
/// aws_sns_topic.b, aws_sns_topic.c, … and 7 more)` for one rule on several
/// resources.
pub(super) fn collapsed_subjects(findings: &[&Finding]) -> String {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.outcome.rule.as_str()).collect();
    rules.dedup();
    if rules.len() > 1 {
        return format!(
            "{} rules not judged here ({})",
            rules.len(),
            rules.join(", ")
        );
    }
    let labels: Vec<String> = findings.iter().map(|f| finding_label(f)).collect();
    let kind = findings[0]
        .outcome
        .subject
        .resource
        .as_ref()
        .map_or("subject", |r| r.kind.as_str());
    const SHOWN: usize = 3;
    let mut names = labels
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if labels.len() > SHOWN {
        names.push_str(&format!(", … and {} more", labels.len() - SHOWN));
    }
    format!("{:<9} {} × {kind} ({names})", rules[0], labels.len())
}

/// What stands for an account or a region in a failure repeated across
/// scopes: `root console sign-in of account ‹account› reaches no human`.
const ACCOUNT_MARK: &str = "‹account›";
/// See [`ACCOUNT_MARK`].
const REGION_MARK: &str = "‹region›";

/// `text` with the finding's account and region (as `replace_account` and
/// `replace_region` say) replaced by their marks.
fn marked(text: &str, finding: &Finding, replace_account: bool, replace_region: bool) -> String {
    let s = &finding.outcome.subject;
    let mut out = text.to_string();
    if replace_account && let Some(account) = s.account.as_deref().filter(|a| !a.is_empty()) {
        out = out.replace(account, ACCOUNT_MARK);
    }
    if replace_region && let Some(region) = s.region.as_deref().filter(|r| !r.is_empty()) {
        out = out.replace(region, REGION_MARK);
    }
    out
}

/// What a repeated failure shares with its repeats: the rule, severity, what
/// it is about (without its scope), message and walked path, with the
/// account and region marked.
fn repeat_key(finding: &Finding) -> (&'static str, Severity, String, String, String) {
    let o = &finding.outcome;
    let about = match (&o.subject.resource, terraform_place(finding)) {
        (_, Some(place)) => place,
        (Some(resource), None) => format!("{} {}", resource.kind, resource.name),
        (None, None) => String::new(),
    };
    (
        o.rule.as_str(),
        finding.severity,
        marked(&about, finding, true, true),
        marked(&o.message, finding, true, true),
        marked(&hop_chain(&o.path), finding, true, true),
    )
}

/// One failure that reads the same in several accounts or regions: the same
/// rule, severity, resource, message and path once the account and region
/// are set aside (SUB005 on one topic name in every account).
pub(super) struct Repeated<'a> {
    /// The findings, in list order.
    pub(super) findings: Vec<&'a Finding>,
}

impl Repeated<'_> {
    fn scopes(&self) -> Vec<(Option<&str>, Option<&str>)> {
        let mut seen = std::collections::HashSet::new();
        self.findings
            .iter()
            .map(|f| group_of(f))
            .filter(|scope| seen.insert(*scope))
            .collect()
    }

    fn accounts_differ(&self) -> bool {
        let first = self.findings[0].outcome.subject.account.as_deref();
        self.findings
            .iter()
            .any(|f| f.outcome.subject.account.as_deref() != first)
    }

    fn regions_differ(&self) -> bool {
        let first = self.findings[0].outcome.subject.region.as_deref();
        self.findings
            .iter()
            .any(|f| f.outcome.subject.region.as_deref() != first)
    }

    /// The message, with the account (or region) marked where it differs.
    pub(super) fn message(&self) -> String {
        let first = self.findings[0];
        marked(
            &first.outcome.message,
            first,
            self.accounts_differ(),
            self.regions_differ(),
        )
    }

    /// The walked path of each repeat, marked likewise.
    pub(super) fn path(&self) -> String {
        let first = self.findings[0];
        marked(
            &hop_chain(&first.outcome.path),
            first,
            self.accounts_differ(),
            self.regions_differ(),
        )
    }

    /// What it is about and where, listing at most `shown` of the places:
    /// `sns-topic root-login in 7 accounts / us-east-1 (1111, 2222, … and 5
    /// more)`; every place with `None`.
    pub(super) fn place(&self, shown: Option<usize>) -> String {
        let first = self.findings[0];
        let (accounts, regions) = (self.accounts_differ(), self.regions_differ());
        let about = match (&first.outcome.subject.resource, terraform_place(first)) {
            (_, Some(place)) => format!("{} ", marked(&place, first, accounts, regions)),
            (Some(resource), None) => format!(
                "{} ",
                marked(
                    &format!("{} {}", resource.kind, resource.name),
                    first,
                    accounts,
                    regions
                )
            ),
            (None, None) => String::new(),
        };
        let scopes = self.scopes();
        let account = |a: Option<&str>| a.unwrap_or("organization").to_string();
        let (what, places): (String, Vec<String>) = match (accounts, regions) {
            (true, false) => (
                match scopes[0].1 {
                    Some(region) => format!("{} accounts / {region}", scopes.len()),
                    None => format!("{} accounts", scopes.len()),
                },
                scopes.iter().map(|(a, _)| account(*a)).collect(),
            ),
            (false, _) => (
                format!("{} / {} regions", account(scopes[0].0), scopes.len()),
                scopes
                    .iter()
                    .map(|(_, r)| r.unwrap_or("global").to_string())
                    .collect(),
            ),
            (true, true) => (
                format!("{} accounts and regions", scopes.len()),
                scopes
                    .iter()
                    .map(|(a, r)| {
                        scope_label(&Subject {
                            account: a.map(str::to_string),
                            region: r.map(str::to_string),
                            resource: None,
                        })
                    })
                    .collect(),
            ),
        };
        // `… and 1 more` would be no shorter than the place it stands for.
        let shown = shown
            .filter(|n| places.len() > n + 1)
            .unwrap_or(places.len());
        let mut listed = places[..shown].join(", ");
        if places.len() > shown {
            listed.push_str(&format!(", … and {} more", places.len() - shown));
        }
        format!("{about}in {what} ({listed})")
    }
}

/// Group the failures of `listed` that repeat in several scopes
/// ([`repeat_key`]): each element is one finding, or a failure that reads the
/// same in at least two accounts or regions, placed where the first was.
/// Nothing else is merged: not-assessed findings have [`collapse`].
pub(super) fn repeats<'a>(listed: &[&'a Finding]) -> Vec<Entry<'a>> {
    use std::collections::HashMap;
    let mut groups: Vec<Vec<&'a Finding>> = Vec::new();
    let mut open: HashMap<_, usize> = HashMap::new();
    for f in listed.iter().copied() {
        if f.status() != Status::Fail {
            groups.push(vec![f]);
            continue;
        }
        let key = repeat_key(f);
        match open.get(&key) {
            Some(&at) => groups[at].push(f),
            None => {
                open.insert(key, groups.len());
                groups.push(vec![f]);
            }
        }
    }
    let mut out = Vec::new();
    for findings in groups {
        let repeated = Repeated { findings };
        if repeated.scopes().len() > 1 {
            out.push(Entry::Repeated(repeated));
        } else {
            out.extend(repeated.findings.into_iter().map(Entry::One));
        }
    }
    out
}

/// The heading of the failures that repeat in several accounts or regions.
const REPEATED_HEADING: &str = "in several accounts or regions";

/// The lines of the default grouping (by account): identical not-assessed
/// causes collapsed per group ([`collapse`]), and failures repeated in
/// several scopes on one line each ([`repeats`]) under their own heading,
/// after the organization-level lines.
pub(super) fn account_entries<'a>(shown: &[&'a Finding]) -> Vec<Entry<'a>> {
    let mut repeated = Vec::new();
    let mut rest = Vec::new();
    for entry in repeats(shown) {
        match entry {
            Entry::Repeated(r) => repeated.push(Entry::Repeated(r)),
            Entry::One(f) => rest.push(f),
            Entry::Many { .. } => {}
        }
    }
    repeated.sort_by_key(|e| {
        let f = e.first();
        (Reverse(f.severity), f.outcome.rule.as_str())
    });
    let mut out = collapse(&rest);
    let at = out
        .iter()
        .position(|e| e.first().outcome.subject.account.is_some())
        .unwrap_or(out.len());
    out.splice(at..at, repeated);
    out
}

/// The heading an entry is listed under when grouped `by`.
pub(super) fn entry_heading(entry: &Entry<'_>, by: super::GroupBy) -> String {
    match entry {
        Entry::Repeated(_) if by == super::GroupBy::Account => REPEATED_HEADING.to_string(),
        _ => heading_of(entry.first(), by),
    }
}

/// A rule's fix in one line ([`crate::catalog::RuleMeta::fix`]).
pub(super) fn fix_of(rule: RuleId) -> String {
    crate::rules::find(rule.as_str())
        .map(|r| r.meta.fix())
        .unwrap_or_default()
}

/// The top issues as lines: the failures at `high` or above ([`top_issues`]),
/// a failure repeated in several scopes on one line ([`repeats`]), one rule's
/// lines together (so its fix is said once, after them), most severe first.
pub(super) fn top_entries<'a>(listed: &[&'a Finding]) -> Vec<Entry<'a>> {
    let mut entries = repeats(&top_issues(listed));
    let mut first_seen: Vec<&str> = Vec::new();
    for e in &entries {
        let rule = e.first().outcome.rule.as_str();
        if !first_seen.contains(&rule) {
            first_seen.push(rule);
        }
    }
    entries.sort_by_key(|e| {
        let f = e.first();
        let rank = first_seen
            .iter()
            .position(|r| *r == f.outcome.rule.as_str());
        (Reverse(f.severity), rank)
    });
    entries
}

/// How many places a repeated top issue names before `… and N more`.
const TOP_PLACES: usize = 3;

/// A top issue's place and message ([`top_entries`]): a failure repeated in
/// several scopes names the first of them and how many more.
pub(super) fn top_line(entry: &Entry<'_>) -> (String, String) {
    match entry {
        Entry::Repeated(r) => (r.place(Some(TOP_PLACES)), r.message()),
        _ => {
            let finding = entry.first();
            (top_place(finding), finding.outcome.message.clone())
        }
    }
}

/// The fixes said after a rule's top issues, the lines of `shown` up to `i`
/// with that rule: where a path breaks at a link another rule describes (a
/// route whose topic policy denies EventBridge: SNS001), that link rule's
/// fix, once per link rule; the rule's own fix when some line has no such
/// link. Each with the rule whose fix it is.
pub(super) fn fixes_after(shown: &[Entry<'_>], i: usize) -> Vec<(RuleId, String)> {
    let rule = shown[i].first().outcome.rule;
    let group: Vec<&Entry<'_>> = shown[..=i]
        .iter()
        .rev()
        .take_while(|e| e.first().outcome.rule == rule)
        .collect();
    let mut own = false;
    let mut links: Vec<RuleId> = Vec::new();
    for entry in group.into_iter().rev() {
        match broken_link(entry.first()) {
            Some(link) if link != rule => {
                if !links.contains(&link) {
                    links.push(link);
                }
            }
            _ => own = true,
        }
    }
    own.then_some(rule)
        .into_iter()
        .chain(links)
        .map(|r| (r, fix_of(r)))
        .collect()
}

/// The rule describing the first broken link of a finding's path, if any.
fn broken_link(finding: &Finding) -> Option<RuleId> {
    finding.outcome.path.iter().find_map(|hop| hop.rule)
}

/// Whether the top issue at `i` is the last of its rule's lines, which its
/// fix follows.
pub(super) fn ends_rule(lines: &[Entry<'_>], i: usize) -> bool {
    let rule = lines[i].first().outcome.rule;
    lines
        .get(i + 1)
        .is_none_or(|next| next.first().outcome.rule != rule)
}

/// The failures at `high` or above, most severe first (then in list order):
/// the "top issues" people read first.
pub(super) fn top_issues<'a>(listed: &[&'a Finding]) -> Vec<&'a Finding> {
    let mut top: Vec<&Finding> = listed
        .iter()
        .copied()
        .filter(|f| f.status() == Status::Fail && f.severity >= Severity::High)
        .collect();
    top.sort_by_key(|f| Reverse(f.severity));
    top
}

/// One line of text cut to `max` characters, with `…` when cut.
pub(super) fn one_line(text: &str, max: usize) -> String {
    let flat = text.replace(['\n', '\r'], " ");
    match flat.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &flat[..at]),
        None => flat,
    }
}

/// Failures first, then not-assessed, then waived.
fn status_rank(status: Status) -> u8 {
    match status {
        Status::Fail => 0,
        Status::NotAssessed => 1,
        Status::Waived => 2,
        Status::Pass => 3,
        Status::NotApplicable => 4,
    }
}

/// The findings people must read (fail, not-assessed, waived), ordered by
/// scope (organization first, then account, then region), then status,
/// severity (most severe first) and rule.
pub(super) fn listed(report: &Report, min: Option<Severity>) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.status(),
                Status::Fail | Status::NotAssessed | Status::Waived
            )
        })
        .filter(|f| !below(f, min))
        .collect();
    out.sort_by_key(|f| {
        let s = &f.outcome.subject;
        (
            s.account.is_some(),
            s.account.clone(),
            s.region.is_some(),
            s.region.clone(),
            status_rank(f.status()),
            Reverse(f.severity),
            f.outcome.rule.as_str(),
        )
    });
    out
}

/// Whether `--min-severity` hides a finding from the people views: failures
/// and waivers under the bar. Not-assessed scope is always listed.
fn below(finding: &Finding, min: Option<Severity>) -> bool {
    matches!(finding.status(), Status::Fail | Status::Waived)
        && min.is_some_and(|min| finding.severity < min)
}

/// How many findings `--min-severity` hides, for the line that says so.
pub(super) fn hidden_below(report: &Report, min: Option<Severity>) -> usize {
    report.findings.iter().filter(|f| below(f, min)).count()
}

/// The group a finding is listed under: its account, then its region.
pub(super) fn group_of(finding: &Finding) -> (Option<&str>, Option<&str>) {
    let s = &finding.outcome.subject;
    (s.account.as_deref(), s.region.as_deref())
}

/// A finding's group heading under `by`: its account and region, or its
/// rule (`SUB005 pager-delivery-unwatched`).
pub(super) fn heading_of(finding: &Finding, by: super::GroupBy) -> String {
    match by {
        super::GroupBy::Account => group_heading(group_of(finding)),
        super::GroupBy::Rule => {
            let rule = finding.outcome.rule;
            match crate::rules::find(rule.as_str()) {
                Some(r) => format!("{rule} {}", r.meta.name),
                None => rule.to_string(),
            }
        }
    }
}

/// Order listed findings for `by`: unchanged by account; by rule, the rules
/// with the most severe failure first (then by id), each rule's findings in
/// list order.
pub(super) fn ordered(listed: Vec<&Finding>, by: super::GroupBy) -> Vec<&Finding> {
    if by == super::GroupBy::Account {
        return listed;
    }
    let mut worst: std::collections::HashMap<&str, (u8, Severity)> =
        std::collections::HashMap::new();
    for f in &listed {
        let rank = (status_rank(f.status()), f.severity);
        let entry = worst.entry(f.outcome.rule.as_str()).or_insert(rank);
        if (rank.0, Reverse(rank.1)) < (entry.0, Reverse(entry.1)) {
            *entry = rank;
        }
    }
    let mut out = listed;
    out.sort_by_key(|f| {
        let (status, severity) = worst[f.outcome.rule.as_str()];
        (status, Reverse(severity), f.outcome.rule.as_str())
    });
    out
}

/// The group's heading: `organization`, `account 1111`, `account 1111 / us-east-1`.
pub(super) fn group_heading(group: (Option<&str>, Option<&str>)) -> String {
    match group {
        (None, None) => "organization".to_string(),
        (None, Some(region)) => format!("organization / {region}"),
        (Some(account), None) => format!("account {account}"),
        (Some(account), Some(region)) => format!("account {account} / {region}"),
    }
}

/// The report's title: the tool, the kind of scan and when it ran or when its
/// input was collected (`live scan, 2026-…`, `snapshot replay, collected 2026-…`).
pub(super) fn title(report: &Report) -> String {
    let source = &report.source;
    let what = match (source.kind, &source.snapshot) {
        (SourceKind::Live, Some(_)) => format!(
            "snapshot replay, collected {}",
            source
                .collected_at
                .as_deref()
                .unwrap_or("at an unknown time")
        ),
        (SourceKind::Live, None) => format!(
            "live scan, {}",
            report.started_at.as_deref().unwrap_or("unknown time")
        ),
        (kind, _) => {
            let when = report
                .finished_at
                .as_deref()
                .or(report.started_at.as_deref())
                .map(|t| format!(", {t}"))
                .unwrap_or_default();
            format!("{} scan{when}", kind.name())
        }
    };
    format!("alertpath {} — {what}", report.tool_version)
}

/// What shaped the report, one `(label, text)` per line: the input, the
/// config file, the rules run, the waivers and, for Terraform, the stack role.
pub(super) fn shaping(report: &Report) -> Vec<(&'static str, String)> {
    let source = &report.source;
    let caller = source
        .caller
        .as_ref()
        .map(|c| format!(" by {}", c.arn))
        .unwrap_or_default();
    let input = match (source.kind, &source.snapshot) {
        (SourceKind::Live, Some(path)) => format!(
            "snapshot {path} (replayed: collected live{caller} at {}; nothing was read from AWS now)",
            source.collected_at.as_deref().unwrap_or("an unknown time")
        ),
        (SourceKind::Live, None) => format!("live AWS{caller}"),
        (kind, _) => {
            let label = match kind {
                SourceKind::Plan => "Terraform plan",
                _ => "Terraform HCL",
            };
            format!("{label} {}", input_files(&source.inputs))
        }
    };
    let mut lines = vec![
        ("input", input),
        (
            "config",
            report
                .config_file
                .clone()
                .unwrap_or_else(|| "none (defaults)".to_string()),
        ),
        ("rules", rules_run(report)),
        ("waivers", waivers(report)),
    ];
    if source.kind != SourceKind::Live {
        lines.push(("stack role", stack_role(report)));
    }
    lines
}

/// Terraform inputs in a few words: files other than `.tf` by name, `.tf`
/// files counted with the directories that hold them (a directory inside
/// another listed one is not repeated): `plan.json, 12 .tf files in infra, modules/sns`.
fn input_files(inputs: &[String]) -> String {
    let (tf, other): (Vec<&String>, Vec<&String>) = inputs
        .iter()
        .partition(|i| i.ends_with(".tf") || i.ends_with(".tf.json"));
    let mut parts: Vec<String> = other.iter().map(|s| s.to_string()).collect();
    if !tf.is_empty() {
        let mut dirs: Vec<&str> = tf
            .iter()
            .map(|f| f.rsplit_once('/').map_or(".", |(dir, _)| dir))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        let top: Vec<&str> = dirs
            .iter()
            .copied()
            .filter(|d| {
                !dirs
                    .iter()
                    .any(|other| other != d && d.starts_with(&format!("{other}/")))
            })
            .collect();
        parts.push(format!("{} .tf file(s) in {}", tf.len(), top.join(", ")));
    }
    if parts.is_empty() {
        "(no input files recorded)".to_string()
    } else {
        parts.join(", ")
    }
}

/// `41 of 41 run`, or `39 of 41 run (disabled: ROOT001, SEC001)`.
fn rules_run(report: &Report) -> String {
    let disabled: Vec<&str> = report
        .rules
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.id.as_str())
        .collect();
    let run = format!(
        "{} of {} run",
        report.rules.len() - disabled.len(),
        report.rules.len()
    );
    if disabled.is_empty() {
        run
    } else {
        format!("{run} (disabled: {})", disabled.join(", "))
    }
}

/// `none`, or `2 active (3 findings waived), 1 expired (its findings are reported again)`.
fn waivers(report: &Report) -> String {
    let w = &report.shaped_by;
    if w.waivers == 0 {
        return "none".to_string();
    }
    let mut text = format!(
        "{} active ({} finding(s) waived)",
        w.waivers - w.waivers_expired.min(w.waivers),
        report.summary.waived
    );
    if w.waivers_expired > 0 {
        text.push_str(&format!(
            ", {} expired (their findings are reported again)",
            w.waivers_expired
        ));
    }
    text
}

/// The declared stack role, or why the rules that judge what a stack lacks
/// did not apply.
fn stack_role(report: &Report) -> String {
    if let Some(role) = report.shaped_by.stack_role {
        return role.as_str().to_string();
    }
    let kind = report.source.kind;
    let gated = report
        .rules
        .iter()
        .filter(|r| r.enabled)
        .filter_map(|r| crate::rules::find(r.id.as_str()))
        .filter(|r| r.meta.stack_roles.is_some() && r.meta.sources.contains(&kind))
        .count();
    format!("no role declared: {gated} absence rule(s) not applicable; declare `[terraform] role`")
}

/// `fail: 2 critical, 1 high`, or `none`.
pub(super) fn failures_by_severity(report: &Report) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|sev| {
            report
                .summary
                .fail_by_severity
                .get(sev)
                .filter(|n| **n > 0)
                .map(|n| format!("{n} {sev}"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

/// The status tag shown in lists: the severity for failures, else the status.
pub(super) fn tag(finding: &Finding) -> String {
    match finding.status() {
        Status::Fail => finding.severity.as_str().to_ascii_uppercase(),
        other => other.label().to_ascii_uppercase(),
    }
}

/// The coverage in one sentence, for text and Markdown: what was assessed,
/// assessed with gaps, and not assessed, and whether the organization's
/// accounts were listed at all.
pub(super) fn coverage_line(c: &super::Coverage) -> String {
    use super::OrganizationCoverage;
    let accounts = match c.organization {
        OrganizationCoverage::NotListed => format!(
            "accounts {}/{} scanned assessed, the organization's other accounts not assessed (organization not listed, SCAN005: {})",
            c.accounts_assessed,
            c.accounts_in_scope,
            c.organization_not_listed
                .as_deref()
                .unwrap_or("unknown reason")
        ),
        _ => format!(
            "accounts {}/{} assessed",
            c.accounts_assessed, c.accounts_in_scope
        ),
    };
    let mut regions = format!(
        "regions {}/{} enabled assessed",
        c.regions_assessed, c.regions_enabled
    );
    if c.regions_assessed_with_gaps > 0 {
        regions.push_str(&format!(
            ", {} assessed with gaps (SCAN002/SCAN003)",
            c.regions_assessed_with_gaps
        ));
    }
    if c.regions_not_assessed > 0 {
        regions.push_str(&format!(", {} not assessed", c.regions_not_assessed));
    }
    if c.regions_not_enabled > 0 {
        regions.push_str(&format!(", {} not enabled", c.regions_not_enabled));
    }
    format!("{accounts}, {regions}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Origin;

    fn hop(kind: &str, name: &str, problem: Option<&str>) -> Hop {
        Hop {
            kind: kind.parse().unwrap(),
            name: name.to_string(),
            origin: Origin::default(),
            ok: problem.is_none(),
            problem: problem.map(str::to_string),
            rule: None,
        }
    }

    #[test]
    fn chain_names_each_hop_and_the_break() {
        let path = [
            hop("event-rule", "gd-events", None),
            hop(
                "sns-topic",
                "gd-pager",
                Some("no confirmed subscription (SUB004)"),
            ),
        ];
        assert_eq!(hop_chain(&path), "rule gd-events → topic gd-pager ✗");
    }

    #[test]
    fn scope_of_global_subject_is_the_organization() {
        assert_eq!(scope_label(&Subject::global()), "organization");
        assert_eq!(scope_label(&Subject::region("1", "r")), "1 / r");
    }
}
