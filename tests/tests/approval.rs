//! Four eyes on every circular: a drafter writes and submits it, a second person approves it
//! (never its own drafter or last editor), an operator issues it; an edit after submission
//! returns it to draft and clears the approval; two approvers racing, or an edit racing an
//! approval, leave one consistent state; and the CLI refuses to issue what is not approved.
//! Every step is in the circular's history with who took it and from where.

use circulars_core::domain::{AccountName, Actor, CircularId, CircularState, Roles, Via};
use circulars_lifecycle::{LifecycleError, Policy};
use circulars_store::Store;
use circulars_tests::{on_both_databases, workspace, Db, Harness, Setup};

const FOUR_EYES: Policy = Policy {
    approval_required: true,
};

fn person(name: &str, roles: &str, via: Via) -> Actor {
    Actor::account(
        AccountName::parse(name).unwrap(),
        Roles::parse_list(roles).unwrap(),
        via,
    )
}

async fn approval_harness(db: Db) -> (Harness, Store) {
    let h = Harness::start_setup(Setup {
        approval_required: true,
        ..Setup::new(db)
    })
    .await;
    h.import_sample_directory();
    let store = h.store().await;
    (h, store)
}

async fn draft(store: &Store, by: &Actor) -> CircularId {
    let file = workspace().join("samples/circulars/tsb-36.toml");
    circulars_lifecycle::draft_file(store, FOUR_EYES, by, &file, 1 << 20)
        .await
        .expect("the sample drafts")
        .0
}

async fn state(store: &Store, id: &CircularId) -> (CircularState, i64, Option<String>) {
    let life = store.existing_life(id).await.unwrap();
    (life.state, life.revision, life.approved.map(|(by, _)| by))
}

async fn a_circular_is_approved_by_a_second_person_before_it_is_issued(db: Db) {
    let (h, store) = approval_harness(db).await;
    let bus = h.bus().await;
    let ana = person("ana", "drafter,approver", Via::Page);
    let bob = person("bob", "approver", Via::Api);
    let olga = person("olga", "operator", Via::Cli);

    let id = draft(&store, &ana).await;
    assert_eq!(state(&store, &id).await, (CircularState::Draft, 1, None));
    let early = circulars_lifecycle::issue(&store, &bus, FOUR_EYES, &olga, &id).await;
    assert!(
        matches!(
            early,
            Err(LifecycleError::NeedsApproval {
                state: CircularState::Draft,
                ..
            })
        ),
        "{early:?}"
    );
    let unsubmitted = circulars_lifecycle::approve(&store, FOUR_EYES, &bob, &id, None).await;
    assert!(
        matches!(unsubmitted, Err(LifecycleError::WrongState { .. })),
        "{unsubmitted:?}"
    );

    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    let own = circulars_lifecycle::approve(&store, FOUR_EYES, &ana, &id, None)
        .await
        .unwrap_err();
    assert_eq!(
        own.to_string(),
        "ana drafted or last edited TSB-36: another approver must approve it"
    );
    let not_an_approver = circulars_lifecycle::approve(&store, FOUR_EYES, &olga, &id, None)
        .await
        .unwrap_err();
    assert_eq!(
        not_an_approver.to_string(),
        "olga may not do this: it needs the approver role"
    );
    circulars_lifecycle::approve(&store, FOUR_EYES, &bob, &id, Some(1))
        .await
        .unwrap();
    assert_eq!(
        state(&store, &id).await,
        (CircularState::Approved, 1, Some("bob".to_owned()))
    );

    // An edit after approval returns it to draft and clears the approval.
    draft(&store, &ana).await;
    assert_eq!(state(&store, &id).await, (CircularState::Draft, 2, None));
    let stale = circulars_lifecycle::issue(&store, &bus, FOUR_EYES, &olga, &id).await;
    assert!(
        matches!(stale, Err(LifecycleError::NeedsApproval { .. })),
        "{stale:?}"
    );

    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    circulars_lifecycle::approve(&store, FOUR_EYES, &bob, &id, None)
        .await
        .unwrap();
    let issued = circulars_lifecycle::issue(&store, &bus, FOUR_EYES, &olga, &id)
        .await
        .unwrap();
    assert_eq!(issued, circulars_lifecycle::Issued::Now);
    assert_eq!(state(&store, &id).await.0, CircularState::Issued);
    let again = circulars_lifecycle::draft_file(
        &store,
        FOUR_EYES,
        &ana,
        &workspace().join("samples/circulars/tsb-36.toml"),
        1 << 20,
    )
    .await;
    assert!(again.is_err(), "an issued circular cannot be redrafted");

    let history: Vec<(String, String, String)> = store
        .circular_history(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor, e.via))
        .collect();
    let expected = [
        ("drafted", "ana", "page"),
        ("submitted", "ana", "page"),
        ("approved", "bob", "api"),
        ("edited", "ana", "page"),
        ("submitted", "ana", "page"),
        ("approved", "bob", "api"),
        ("issued", "olga", "cli"),
    ];
    assert_eq!(
        history,
        expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    let edit = &store.circular_history(&id).await.unwrap()[3];
    assert!(
        edit.detail.contains("\"was\":\"approved\""),
        "{}",
        edit.detail
    );
}

async fn an_approver_sends_a_circular_back_with_a_comment(db: Db) {
    let (_h, store) = approval_harness(db).await;
    let ana = person("ana", "drafter", Via::Page);
    let bob = person("bob", "approver", Via::Page);
    let id = draft(&store, &ana).await;
    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    let silent = circulars_lifecycle::send_back(&store, FOUR_EYES, &bob, &id, "  ").await;
    assert!(
        matches!(silent, Err(LifecycleError::CommentNeeded)),
        "{silent:?}"
    );
    circulars_lifecycle::send_back(&store, FOUR_EYES, &bob, &id, "Annex 2 is missing in French")
        .await
        .unwrap();
    assert_eq!(state(&store, &id).await, (CircularState::Draft, 1, None));
    let last = store.circular_history(&id).await.unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("sent-back", "bob")
    );
    assert!(
        last.detail.contains("Annex 2 is missing in French"),
        "{}",
        last.detail
    );
}

async fn two_approvers_racing_leave_one_approval(db: Db) {
    let (_h, store) = approval_harness(db).await;
    let ana = person("ana", "drafter", Via::Page);
    let id = draft(&store, &ana).await;
    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    let approvers = ["bob", "carla", "dan"].map(|name| person(name, "approver", Via::Api));
    let results = futures::future::join_all(
        approvers
            .iter()
            .map(|a| circulars_lifecycle::approve(&store, FOUR_EYES, a, &id, Some(1))),
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(
            matches!(refused, LifecycleError::WrongState { .. }),
            "{refused:?}"
        );
    }
    let approvals = store
        .circular_history(&id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "approved")
        .count();
    assert_eq!(approvals, 1);
    assert_eq!(state(&store, &id).await.0, CircularState::Approved);
}

async fn an_edit_racing_an_approval_leaves_a_draft_without_approval(db: Db) {
    let (_h, store) = approval_harness(db).await;
    let ana = person("ana", "drafter", Via::Page);
    let bob = person("bob", "approver", Via::Api);
    let id = draft(&store, &ana).await;
    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    // Bob read revision 1; Ana's edit and Bob's approval land in either order.
    let (edited, approved) = tokio::join!(
        draft(&store, &ana),
        circulars_lifecycle::approve(&store, FOUR_EYES, &bob, &id, Some(1))
    );
    assert_eq!(edited, id);
    assert_eq!(state(&store, &id).await, (CircularState::Draft, 2, None));
    if let Err(e) = approved {
        assert!(
            matches!(
                e,
                LifecycleError::WrongState { .. } | LifecycleError::Changed { .. }
            ),
            "{e:?}"
        );
    }
    // An approval of the revision Bob read, after the edit, is refused as stale.
    circulars_lifecycle::submit(&store, FOUR_EYES, &ana, &id)
        .await
        .unwrap();
    let stale = circulars_lifecycle::approve(&store, FOUR_EYES, &bob, &id, Some(1))
        .await
        .unwrap_err();
    assert_eq!(
        stale.to_string(),
        "TSB-36 changed while you were reading it (revision 1, now 2): read it again"
    );
}

async fn the_cli_refuses_to_issue_without_approval(db: Db) {
    let (h, _store) = approval_harness(db).await;
    let anonymous = h.circulars(&[
        "draft",
        workspace()
            .join("samples/circulars/tsb-36.toml")
            .to_str()
            .unwrap(),
    ]);
    assert!(!anonymous.success);
    assert!(
        anonymous.stderr.contains("approval is required ([approval] required = true): name the account acting with --as NAME"),
        "{}",
        anonymous.stderr
    );
    let unknown = h.circulars(&["issue", "TSB-36", "--as", "nobody"]);
    assert!(
        unknown
            .stderr
            .contains("there is no staff account named nobody"),
        "{}",
        unknown.stderr
    );
}

on_both_databases!(
    a_circular_is_approved_by_a_second_person_before_it_is_issued,
    an_approver_sends_a_circular_back_with_a_comment,
    two_approvers_racing_leave_one_approval,
    an_edit_racing_an_approval_leaves_a_draft_without_approval,
    the_cli_refuses_to_issue_without_approval,
);
