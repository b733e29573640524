//! The rules every step of a circular's life is checked against, in one place: who may take
//! it (role, and an account rather than the operating-system user when approval is required),
//! and from which states.

use crate::LifecycleError;
use circulars_core::domain::{Actor, CircularState, Role};

/// How strict the secretariat's process is: `[approval]` of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Whether a circular must be approved by a second person before it is issued.
    pub approval_required: bool,
}

impl Policy {
    /// The policy `[approval]` sets.
    pub fn from_config(config: &circulars_core::config::ApprovalConfig) -> Policy {
        Policy {
            approval_required: config.required,
        }
    }

    /// Checks that `actor` may take a step that needs `role`: with approval required, only a
    /// named account may act (so the four-eyes rule has two names to compare).
    pub fn allow(&self, actor: &Actor, role: Role) -> Result<(), LifecycleError> {
        if self.approval_required && actor.account.is_none() {
            return Err(LifecycleError::AccountNeeded);
        }
        if !actor.has(role) {
            return Err(LifecycleError::NotAllowed {
                actor: actor.name(),
                needs: role,
            });
        }
        Ok(())
    }

    /// The states an issue may start from: `approved` only when approval is required.
    pub fn issuable_from(&self) -> &'static [CircularState] {
        if self.approval_required {
            &[CircularState::Approved]
        } else {
            &[
                CircularState::Draft,
                CircularState::Submitted,
                CircularState::Approved,
            ]
        }
    }
}

/// The states a step starts from and leads to.
pub(crate) struct Step {
    /// The audit trail's word for it, and what error messages call it.
    pub action: &'static str,
    /// The role it needs.
    pub role: Role,
    /// Where it may start.
    pub from: &'static [CircularState],
    /// Where it leads.
    pub to: CircularState,
}

/// A draft handed to the approvers.
pub(crate) const SUBMIT: Step = Step {
    action: "submitted",
    role: Role::Drafter,
    from: &[CircularState::Draft],
    to: CircularState::Submitted,
};

/// A submitted circular approved as it stands.
pub(crate) const APPROVE: Step = Step {
    action: "approved",
    role: Role::Approver,
    from: &[CircularState::Submitted],
    to: CircularState::Approved,
};

/// A submitted circular returned to its drafter with a comment.
pub(crate) const SEND_BACK: Step = Step {
    action: "sent-back",
    role: Role::Approver,
    from: &[CircularState::Submitted],
    to: CircularState::Draft,
};

/// An issued circular paused.
pub(crate) const PAUSE: Step = Step {
    action: "paused",
    role: Role::Operator,
    from: &[CircularState::Issued],
    to: CircularState::Paused,
};

/// A paused circular sent again.
pub(crate) const RESUME: Step = Step {
    action: "resumed",
    role: Role::Operator,
    from: &[CircularState::Paused],
    to: CircularState::Issued,
};

/// An issued circular stopped for good.
pub(crate) const CANCEL: Step = Step {
    action: "cancelled",
    role: Role::Operator,
    from: &[CircularState::Issued, CircularState::Paused],
    to: CircularState::Cancelled,
};

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::{AccountName, Roles, Via};

    fn account(roles: &str) -> Actor {
        Actor::account(
            AccountName::parse("ana").unwrap(),
            Roles::parse_list(roles).unwrap(),
            Via::Api,
        )
    }

    #[test]
    fn with_approval_required_only_an_account_with_the_role_acts() {
        let policy = Policy {
            approval_required: true,
        };
        assert!(matches!(
            policy.allow(&Actor::system("root"), Role::Drafter),
            Err(LifecycleError::AccountNeeded)
        ));
        assert!(policy.allow(&account("drafter"), Role::Drafter).is_ok());
        let refused = policy
            .allow(&account("drafter"), Role::Operator)
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "ana may not do this: it needs the operator role"
        );
        assert_eq!(policy.issuable_from(), &[CircularState::Approved]);
    }

    #[test]
    fn without_approval_the_system_user_acts_and_drafts_issue() {
        let policy = Policy {
            approval_required: false,
        };
        assert!(policy.allow(&Actor::system("root"), Role::Operator).is_ok());
        assert!(policy.issuable_from().contains(&CircularState::Draft));
    }
}
