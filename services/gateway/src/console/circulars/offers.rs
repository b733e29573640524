//! Which steps a circular's page offers the account reading it: those its state and the
//! account's roles allow. The lifecycle decides again when a step is taken (and refuses in its
//! own words); this only keeps the page from offering what would certainly be refused.

use circulars_core::domain::{Actor, CircularState, Role};
use circulars_lifecycle::Policy;
use circulars_store::LifeMarks;

/// A step a page may offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Hand the draft to the approvers (drafter, draft).
    Submit,
    /// Approve the submitted circular at the revision shown (approver, submitted, not its
    /// drafter or last editor).
    Approve {
        /// The revision the page shows, sent with the form.
        revision: i64,
    },
    /// Return it to draft with a comment (approver, submitted).
    SendBack,
    /// Go to the confirmation before issuing (operator, a state the policy issues from).
    Issue,
    /// Pause sending (operator, issued).
    Pause,
    /// Resume sending (operator, paused).
    Resume,
    /// Stop sending for good (operator, issued or paused).
    Cancel,
}

/// The steps `actor` may take on a circular standing at `life`, in the order of its life.
pub fn offers(policy: Policy, actor: &Actor, life: &LifeMarks) -> Vec<Offer> {
    let state = life.state;
    let mut offers = Vec::new();
    if actor.has(Role::Drafter) && state == CircularState::Draft {
        offers.push(Offer::Submit);
    }
    if actor.has(Role::Approver) && state == CircularState::Submitted {
        if !is_own(actor, life) {
            offers.push(Offer::Approve {
                revision: life.revision,
            });
        }
        offers.push(Offer::SendBack);
    }
    if actor.has(Role::Operator) {
        if policy.issuable_from().contains(&state) {
            offers.push(Offer::Issue);
        }
        match state {
            CircularState::Issued => offers.extend([Offer::Pause, Offer::Cancel]),
            CircularState::Paused => offers.extend([Offer::Resume, Offer::Cancel]),
            _ => {}
        }
    }
    offers
}

/// Whether `actor` drafted or last edited the circular: then they cannot approve it.
pub fn is_own(actor: &Actor, life: &LifeMarks) -> bool {
    let name = actor.name();
    life.drafted_by == name || life.edited_by == name
}

/// Whether the page says why `actor` is not offered to approve: an approver, before a
/// submitted circular they drafted or last edited.
pub fn approval_withheld(actor: &Actor, life: &LifeMarks) -> bool {
    actor.has(Role::Approver) && life.state == CircularState::Submitted && is_own(actor, life)
}

/// Whether `actor` may open the edit page: a drafter, while the circular is not issued.
pub fn may_edit(actor: &Actor, life: &LifeMarks) -> bool {
    actor.has(Role::Drafter) && !life.state.is_issued()
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::{AccountName, Roles, Via};

    fn actor(name: &str, roles: &str) -> Actor {
        Actor::account(
            AccountName::parse(name).unwrap(),
            Roles::parse_list(roles).unwrap(),
            Via::Page,
        )
    }

    fn life(state: CircularState) -> LifeMarks {
        LifeMarks {
            state,
            revision: 3,
            drafted_by: "ana".into(),
            edited_by: "eve".into(),
            approved: None,
        }
    }

    const FOUR_EYES: Policy = Policy {
        approval_required: true,
    };
    const NO_APPROVAL: Policy = Policy {
        approval_required: false,
    };

    #[test]
    fn a_drafter_submits_a_draft_and_edits_until_it_is_issued() {
        let ana = actor("ana", "drafter");
        assert_eq!(
            offers(FOUR_EYES, &ana, &life(CircularState::Draft)),
            [Offer::Submit]
        );
        assert!(offers(FOUR_EYES, &ana, &life(CircularState::Submitted)).is_empty());
        assert!(may_edit(&ana, &life(CircularState::Approved)));
        assert!(!may_edit(&ana, &life(CircularState::Issued)));
        assert!(!may_edit(
            &actor("bob", "approver"),
            &life(CircularState::Draft)
        ));
    }

    #[test]
    fn an_approver_approves_the_revision_shown_unless_they_drafted_or_last_edited_it() {
        let bob = actor("bob", "approver");
        assert_eq!(
            offers(FOUR_EYES, &bob, &life(CircularState::Submitted)),
            [Offer::Approve { revision: 3 }, Offer::SendBack]
        );
        for own in ["ana", "eve"] {
            assert_eq!(
                offers(
                    FOUR_EYES,
                    &actor(own, "drafter,approver"),
                    &life(CircularState::Submitted)
                ),
                [Offer::SendBack],
                "{own} drafted or last edited it"
            );
            assert!(approval_withheld(
                &actor(own, "drafter,approver"),
                &life(CircularState::Submitted)
            ));
        }
        assert!(!approval_withheld(&bob, &life(CircularState::Submitted)));
        assert!(!approval_withheld(
            &actor("ana", "drafter"),
            &life(CircularState::Submitted)
        ));
        assert!(!approval_withheld(
            &actor("ana", "approver"),
            &life(CircularState::Approved)
        ));
        assert!(offers(FOUR_EYES, &bob, &life(CircularState::Draft)).is_empty());
        assert!(offers(FOUR_EYES, &bob, &life(CircularState::Approved)).is_empty());
    }

    #[test]
    fn an_operator_issues_what_the_policy_allows_then_pauses_resumes_or_cancels() {
        let olga = actor("olga", "operator");
        assert!(offers(FOUR_EYES, &olga, &life(CircularState::Draft)).is_empty());
        assert!(offers(FOUR_EYES, &olga, &life(CircularState::Submitted)).is_empty());
        assert_eq!(
            offers(FOUR_EYES, &olga, &life(CircularState::Approved)),
            [Offer::Issue]
        );
        for state in [
            CircularState::Draft,
            CircularState::Submitted,
            CircularState::Approved,
        ] {
            assert_eq!(offers(NO_APPROVAL, &olga, &life(state)), [Offer::Issue]);
        }
        assert_eq!(
            offers(FOUR_EYES, &olga, &life(CircularState::Issued)),
            [Offer::Pause, Offer::Cancel]
        );
        assert_eq!(
            offers(FOUR_EYES, &olga, &life(CircularState::Paused)),
            [Offer::Resume, Offer::Cancel]
        );
        assert!(offers(FOUR_EYES, &olga, &life(CircularState::Cancelled)).is_empty());
    }

    #[test]
    fn one_person_with_every_role_is_offered_every_step_the_state_allows() {
        let all = actor("zoe", "drafter,approver,operator,admin");
        assert_eq!(
            offers(NO_APPROVAL, &all, &life(CircularState::Draft)),
            [Offer::Submit, Offer::Issue]
        );
        assert_eq!(
            offers(NO_APPROVAL, &all, &life(CircularState::Submitted)),
            [
                Offer::Approve { revision: 3 },
                Offer::SendBack,
                Offer::Issue
            ]
        );
        assert!(offers(
            FOUR_EYES,
            &actor("adm", "admin"),
            &life(CircularState::Submitted)
        )
        .is_empty());
    }
}
