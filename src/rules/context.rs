//! What rules read: the inventory, the config, and derived lookups such as
//! "who is GuardDuty's admin in this region".

pub use crate::chain::topology::{AdminLookup, Topology};
use crate::config::Config;
use crate::inventory::{Inventory, Observed, RegionSlot};
use crate::outcome::Subject;

/// Everything a rule may read. Rules do no I/O. It dereferences to the
/// organization's [`Topology`] (who the admin is, the source regions), which the
/// chain layer owns.
pub struct Context<'a> {
    topology: Topology<'a>,
    analysis: std::cell::OnceCell<crate::chain::analysis::Analysis<'a>>,
}

impl<'a> std::ops::Deref for Context<'a> {
    type Target = Topology<'a>;

    fn deref(&self) -> &Topology<'a> {
        &self.topology
    }
}

impl<'a> Context<'a> {
    /// A context over an inventory and config.
    pub fn new(inventory: &'a Inventory, config: &'a Config) -> Self {
        Context {
            topology: Topology { inventory, config },
            analysis: std::cell::OnceCell::new(),
        }
    }

    /// The shared walks and what they reach, computed on first use.
    pub fn analysis(&self) -> &crate::chain::analysis::Analysis<'a> {
        self.analysis
            .get_or_init(|| crate::chain::analysis::Analysis::new(&self.topology))
    }
}

/// One enabled, readable account × region handed to a rule's closure.
pub struct RegionView<'a> {
    /// The account id.
    pub account: &'a str,
    /// The region.
    pub region: &'a str,
    /// The collected facts.
    pub facts: &'a crate::inventory::RegionFacts,
}

impl<'a> Context<'a> {
    /// Walk every in-scope account × region for an "every"-scoped rule. Unreadable
    /// accounts and regions become not-assessed outcomes and regions not enabled
    /// become not-applicable ones, so nothing is silently skipped; `f` sees the rest.
    pub fn for_each_region(
        &self,
        out: &mut crate::outcome::Outcomes,
        mut f: impl FnMut(&RegionView<'a>, &mut crate::outcome::Outcomes),
    ) {
        for (account_id, account) in &self.inventory.accounts {
            if let Some(gap) = account.access.gap() {
                out.not_assessed(
                    Subject::account(account_id),
                    format!("account not assessed (SCAN001): {}", gap.describe()),
                );
                continue;
            }
            for (region, slot) in &account.regions {
                let subject = Subject::region(account_id, region);
                match slot {
                    RegionSlot::NotEnabled => {
                        out.not_applicable(subject, "region not enabled for this account");
                    }
                    RegionSlot::Enabled(observed) => match observed.as_ref() {
                        Observed::Gap(gap) => {
                            out.not_assessed(
                                subject,
                                format!("region not assessed (SCAN002): {}", gap.describe()),
                            );
                        }
                        Observed::Collected(facts) => f(
                            &RegionView {
                                account: account_id,
                                region,
                                facts,
                            },
                            out,
                        ),
                    },
                }
            }
        }
    }
}
