//! Secretariat staff keep the directory: they import it again and again without changing what
//! did not change, see what an import would do before doing it, export it back, add topics of
//! optional circulars, count a circular's audience before issuing it, and years later explain
//! why an address got (or did not get) a circular, from the audience as it was frozen. A
//! directory that dies part-way through freezing an audience resumes where it stopped.

use circulars_core::domain::{CircularId, RecipientAddress};
use circulars_store::FreezeStep;
use circulars_tests::{on_both_databases, workspace, Db, Harness, DIRECTORY_HEADER as HEADER};

async fn importing_the_same_file_twice_changes_nothing_and_the_export_reads_back_the_same(db: Db) {
    let h = Harness::start(db).await;
    h.import_sample_directory();
    let store = h.store().await;
    let contacts = store.directory_size().await.unwrap();
    assert_eq!(contacts, 276);

    let file = workspace().join("samples/directory/member-states.csv");
    let again = h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    assert!(again.contains("no changes"), "{again}");

    let export = h.dir().join("export.csv");
    h.circulars_ok(&["directory", "export", export.to_str().unwrap()]);
    let round_trip = h.circulars_ok(&["directory", "import", export.to_str().unwrap()]);
    assert!(round_trip.contains("no changes (276 rows"), "{round_trip}");
    assert_eq!(store.directory_size().await.unwrap(), contacts);
}

async fn a_dry_run_reports_the_changes_and_stores_nothing(db: Db) {
    let h = Harness::start(db).await;
    let file = h.dir().join("new.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}adm-freedonia,Administration of Freedonia,fr,member-states,amina@example.org,Amina Diallo,,Director,active,\n\
             adm-freedonia,Administration of Freedonia,fr,member-states,paul@example.org,Paul Martin,en,,inactive,\n"
        ),
    )
    .unwrap();
    let out = h.circulars_ok(&["directory", "import", "--dry-run", file.to_str().unwrap()]);
    assert!(out.contains("would change: addressees 1 new"), "{out}");
    assert!(out.contains("contacts 2 new"), "{out}");
    assert!(out.contains("dry run: nothing stored"), "{out}");
    let store = h.store().await;
    assert_eq!(store.directory_size().await.unwrap(), 0);

    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    assert_eq!(store.directory_size().await.unwrap(), 2);
    let trail = store.audit_trail("amina@example.org").await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "contact.created");
    assert!(trail[0].actor.starts_with("import "), "{}", trail[0].actor);
}

async fn the_audience_of_a_topic_circular_leaves_out_who_opted_out_and_explain_says_why(db: Db) {
    let h = Harness::start(db).await;
    h.circulars_ok(&[
        "directory",
        "topic",
        "add",
        "tsb-events",
        "--name",
        "TSB events",
    ]);
    let file = h.dir().join("d.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}adm-freedonia,Administration of Freedonia,fr,member-states,amina@example.org,Amina Diallo,,,active,\n\
             adm-freedonia,Administration of Freedonia,fr,member-states,paul@example.org,Paul Martin,en,,active,-tsb-events\n\
             adm-sylvania,Administration of Sylvania,,member-states,li@example.com,Li Wei,zh,,unsubscribed,\n\
             itu-sg,International Telecommunication Union,,secretary-general,ops@globex.example,Operations,,,active,\n"
        ),
    )
    .unwrap();
    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);

    let circular = h.write_sample_variant(40, Some("tsb-events"));
    h.circulars_ok(&["draft", circular.to_str().unwrap()]);
    let counts = h.circulars_ok(&["audience", "TSB-40"]);
    assert!(
        counts.contains("TSB-40 would go to 1 recipients"),
        "{counts}"
    );
    assert!(counts.contains("opted-out"), "{counts}");
    assert!(counts.contains("suppressed"), "{counts}");
    let french: Vec<&str> = counts
        .lines()
        .filter(|l| l.trim_start().starts_with("fr "))
        .collect();
    assert_eq!(french.len(), 1, "{counts}");
    assert!(french[0].ends_with(" 1"), "{counts}");

    let why = h.circulars_ok(&["explain", "TSB-40", "paul@example.org"]);
    assert!(why.contains("opted out of topic tsb-events since"), "{why}");
    let why = h.circulars_ok(&["explain", "TSB-40", "li@example.com"]);
    assert!(why.contains("because unsubscribed (import "), "{why}");
    let why = h.circulars_ok(&["explain", "TSB-40", "ops@globex.example"]);
    assert!(why.contains("in no category of this circular"), "{why}");
}

async fn explain_answers_from_the_frozen_audience_after_the_directory_changed(db: Db) {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    h.serve("all");
    h.circulars_ok(&["issue", "TSB-36"]);
    let id: CircularId = "TSB-36".parse().unwrap();
    h.wait_until_delivered("TSB-36").await;

    // After the issue, a contact leaves and a new one joins the circular's categories.
    let file = h.dir().join("changes.csv");
    std::fs::write(
        &file,
        format!(
            "{HEADER}administration-of-aldoria,Administration of Aldoria,,member-states,amara.osei@dtc.aldoria.example,Amara Osei,en,,inactive,\n\
             administration-of-aldoria,Administration of Aldoria,,member-states,newcomer@dtc.aldoria.example,New Comer,en,,active,\n"
        ),
    )
    .unwrap();
    h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);

    let why = h.circulars_ok(&["explain", "TSB-36", "amara.osei@dtc.aldoria.example"]);
    assert!(
        why.contains("is on the list (in the frozen audience)"),
        "{why}"
    );
    assert!(why.contains("category member-states: contact"), "{why}");
    assert!(why.contains("Delivery: sent"), "{why}");
    let why = h.circulars_ok(&["explain", "TSB-36", "newcomer@dtc.aldoria.example"]);
    assert!(
        why.contains("was in no category of this circular when the audience was frozen"),
        "{why}"
    );
    let store = h.store().await;
    let address = RecipientAddress::parse("newcomer@dtc.aldoria.example").unwrap();
    assert!(store.delivery(&id, &address).await.unwrap().is_none());
}

async fn a_freeze_cut_short_resumes_where_it_stopped_and_everyone_gets_the_circular_once(db: Db) {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    let id: CircularId = "TSB-36".parse().unwrap();
    let store = h.store().await;
    let stored = store.existing_circular(&id).await.unwrap();
    let (mut query, rules) = circulars_contacts::resolve::audience_rules(&store, &stored.circular)
        .await
        .unwrap();
    query.page_size = 5;
    let decide = |c| circulars_contacts::resolve::decide(&rules, c);

    // The directory dies after its first page was committed.
    let step = store
        .freeze_audience_page(&id, &query, decide)
        .await
        .unwrap();
    let FreezeStep::Page {
        members, frozen, ..
    } = step
    else {
        panic!("a page is stored: {step:?}")
    };
    assert!(!frozen && members > 0, "{step:?}");
    let stored_so_far = store.audience_page(&id, None, 1000).await.unwrap();
    assert_eq!(stored_so_far.len() as u64, members);
    assert!(
        store
            .existing_circular(&id)
            .await
            .unwrap()
            .audience
            .is_none(),
        "not frozen until the last page"
    );

    // Issued, and the directory comes back: it resolves the rest, after what it stored.
    h.serve("all");
    h.circulars_ok(&["issue", "TSB-36"]);
    let status = h.wait_until_delivered("TSB-36").await;
    let mut dry_run = 0;
    store
        .walk_audience(&query, decide, |d| {
            dry_run += u64::from(matches!(d, circulars_store::Decision::Member(_)))
        })
        .await
        .unwrap();
    assert_eq!(status.audience, Some(dry_run), "the whole audience, once");
    assert_eq!(h.mails().len() as u64, dry_run, "one mail each");
    assert_eq!(
        store.freeze_audience(&id, &query, decide).await.unwrap(),
        None,
        "frozen once"
    );
    store.close().await;
}

/// A directory of the whole UN system arrives in one file: after the bulk import, PostgreSQL's
/// planner statistics describe the new directory at once (a circular issued right after it
/// would otherwise be planned on the tables as they were, and wait seconds for its first mail);
/// SQLite is left without statistics, which its audience query is written for.
async fn a_bulk_import_leaves_the_planner_statistics_fresh(db: Db) {
    let h = Harness::start(db).await;
    let file = h.dir().join("bulk.csv");
    let mut csv = HEADER.to_owned();
    for n in 0..1_200 {
        csv.push_str(&format!(
            "adm-{a},Administration {a},en,member-states,contact{n}@example.org,Contact {n},,,active,\n",
            a = n / 4
        ));
    }
    std::fs::write(&file, csv).unwrap();
    let out = h.circulars_ok(&["directory", "import", file.to_str().unwrap()]);
    assert!(out.contains("contacts 1200 new"), "{out}");

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(h.database_url()).await.unwrap();
    let analyzed = match db {
        Db::Postgres => {
            "SELECT COUNT(*) FROM pg_stat_user_tables \
             WHERE relname IN ('contacts', 'addressees', 'addressee_categories') \
               AND last_analyze IS NOT NULL"
        }
        Db::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'",
    };
    let tables: i64 = sqlx::query_scalar(analyzed).fetch_one(&pool).await.unwrap();
    assert_eq!(tables, if db == Db::Postgres { 3 } else { 0 });
    pool.close().await;
}

on_both_databases!(
    a_bulk_import_leaves_the_planner_statistics_fresh,
    a_freeze_cut_short_resumes_where_it_stopped_and_everyone_gets_the_circular_once,
    importing_the_same_file_twice_changes_nothing_and_the_export_reads_back_the_same,
    a_dry_run_reports_the_changes_and_stores_nothing,
    the_audience_of_a_topic_circular_leaves_out_who_opted_out_and_explain_says_why,
    explain_answers_from_the_frozen_audience_after_the_directory_changed,
);
