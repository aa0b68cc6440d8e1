//! One way to turn a link verdict from the chain layer into a rule's outcome.

use crate::chain::links::Link;
use crate::outcome::{Outcome, Outcomes, Subject};

impl Outcomes {
    /// Report a link verdict as this rule's outcome on `subject`. A working
    /// link passes; a break this rule describes fails; a break another rule
    /// describes passes here, naming that rule (it reports the break); an
    /// unknown is not assessed, keeping its kind. `context`, when given,
    /// prefixes pass and not-assessed messages (e.g. `rule gd-findings`).
    /// Returns the outcome unless it was not assessed.
    pub(crate) fn report(
        &mut self,
        subject: Subject,
        link: Link,
        context: Option<&str>,
    ) -> Option<&mut Outcome> {
        let own = self.rule();
        let prefixed = |text: String| match context {
            Some(context) => format!("{context}: {text}"),
            None => text,
        };
        match link {
            Link::Ok(note) => Some(self.pass(subject, prefixed(note))),
            Link::Broken { rule, why } if rule == own => Some(self.fail(subject, why)),
            Link::Broken { rule, why } => Some(self.pass(
                subject,
                prefixed(format!("not {own}'s concern ({rule} reports it: {why})")),
            )),
            Link::Unknown { why, kind } => {
                self.not_assessed_as(subject, prefixed(why), kind);
                None
            }
        }
    }
}
