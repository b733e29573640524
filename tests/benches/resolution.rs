//! Resolving a circular's audience at scale: a generated directory of N contacts (addressees of
//! four contacts in several categories, three topics with opt-outs and opt-ins, some inactive
//! and suppressed addresses) on SQLite and PostgreSQL, and a topic circular to its categories.
//! For each database and size it measures, in the same run:
//!
//! - **baseline**: one plain streamed `SELECT` of the same rows resolution reads (contacts with
//!   their addressee, categories, suppression and topic choice), counted and dropped;
//! - **dry run**: `circulars audience` (`Store::walk_audience` with the resolution rules);
//! - **freeze**: what issuing does (`Store::freeze_audience`: resolve and store every recipient
//!   with its reasons, and every exclusion, in one transaction);
//!
//! and reports recipients per second and the peak of heap memory allocated during each phase,
//! each as a ratio against the baseline.
//!
//! `cargo bench -p circulars-tests --bench resolution -- --sizes 10000,100000,1000000
//! [--databases sqlite,postgres]`. Under `cargo test` it runs at 2 000 and 8 000 contacts as a
//! smoke test, and fails if the freeze's peak heap grows with the audience (it must stay within
//! a page of 1 000 addresses, whatever the audience).

#![allow(unsafe_code)] // the counting allocator below

use circulars_contacts::resolve::{decide, Rules};
use circulars_core::domain::{Circular, DirectoryIds, TopicId};
use circulars_store::{AudienceQuery, Decision, Store, Topic};
use circulars_tests::{test_database, workspace, Db};
use futures::TryStreamExt;
use sqlx::{AnyPool, Row};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `layout` is passed on unchanged.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `phase` and returns its result, its time, and the peak of heap bytes it added.
async fn measured<T>(phase: impl std::future::Future<Output = T>) -> (T, Duration, usize) {
    let base = IN_USE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let out = phase.await;
    let elapsed = start.elapsed();
    (
        out,
        elapsed,
        PEAK.load(Ordering::Relaxed).saturating_sub(base),
    )
}

const CATEGORIES: [&str; 6] = [
    "member-states",
    "sector-members",
    "associates",
    "academia",
    "permanent-missions",
    "secretary-general", // not among the circular's: its addressees are left out
];
const LANGUAGES: [Option<&str>; 7] = [
    Some("ar"),
    Some("zh"),
    Some("en"),
    Some("fr"),
    Some("ru"),
    Some("es"),
    None,
];
const CONTACTS_PER_ADDRESSEE: usize = 4;
const CHUNK: usize = 500;
const NOW: &str = "2026-11-22T00:00:00.000000Z";

/// Writes a directory of `n` contacts with multi-row inserts, in one transaction.
async fn generate(pool: &AnyPool, n: usize) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    for (id, opt_in) in [("tsb-events", 0i64), ("sg17", 0), ("workshops", 1)] {
        sqlx::query("INSERT INTO topics (id, name, opt_in, created_at) VALUES ($1, $1, $2, $3)")
            .bind(id)
            .bind(opt_in)
            .bind(NOW)
            .execute(&mut *tx)
            .await?;
    }
    let addressees = n.div_ceil(CONTACTS_PER_ADDRESSEE);
    for start in (0..addressees).step_by(CHUNK) {
        let ids: Vec<usize> = (start..addressees.min(start + CHUNK)).collect();
        let sql = insert_sql(
            "addressees (id, key, name, language, created_at, updated_at)",
            6,
            ids.len(),
        );
        let mut q = sqlx::query(&sql);
        for &a in &ids {
            q = q
                .bind(a as i64 + 1)
                .bind(format!("org-{a}"))
                .bind(format!("Organisation {a}"))
                .bind(LANGUAGES[a % LANGUAGES.len()])
                .bind(NOW)
                .bind(NOW);
        }
        q.execute(&mut *tx).await?;
        // One or two categories each.
        let pairs: Vec<(usize, &str)> = ids
            .iter()
            .flat_map(|&a| {
                let first = CATEGORIES[a % CATEGORIES.len()];
                let second = (a % 3 == 0).then(|| CATEGORIES[(a / 3 + 1) % 5]);
                std::iter::once((a, first)).chain(second.filter(|s| *s != first).map(|s| (a, s)))
            })
            .collect();
        let sql = insert_sql(
            "addressee_categories (addressee_id, category)",
            2,
            pairs.len(),
        );
        let mut q = sqlx::query(&sql);
        for (a, category) in pairs {
            q = q.bind(a as i64 + 1).bind(category);
        }
        q.execute(&mut *tx).await?;
    }
    for start in (0..n).step_by(CHUNK) {
        let ids: Vec<usize> = (start..n.min(start + CHUNK)).collect();
        let sql = insert_sql(
            "contacts (id, addressee_id, address, address_key, name, language, role, active, source, created_at, updated_at)",
            11,
            ids.len(),
        );
        let mut q = sqlx::query(&sql);
        for &c in &ids {
            let a = c / CONTACTS_PER_ADDRESSEE;
            let address = format!("person.{c}@org{a}.example");
            q = q
                .bind(c as i64 + 1)
                .bind(a as i64 + 1)
                .bind(address.clone())
                .bind(address)
                .bind(format!("Person {c}"))
                .bind(LANGUAGES[(c / 2) % LANGUAGES.len()])
                .bind("")
                .bind(i64::from(c % 50 != 7)) // 2 % inactive
                .bind("generated")
                .bind(NOW)
                .bind(NOW);
        }
        q.execute(&mut *tx).await?;
        // 10 % opted out of tsb-events, 5 % opted in to workshops.
        let choices: Vec<(usize, &str, i64)> = ids
            .iter()
            .filter_map(|&c| match c % 20 {
                0 | 1 => Some((c, "tsb-events", 0)),
                2 => Some((c, "workshops", 1)),
                _ => None,
            })
            .collect();
        if !choices.is_empty() {
            let sql = insert_sql(
                "subscriptions (address_key, topic, subscribed, set_by, source, updated_at)",
                6,
                choices.len(),
            );
            let mut q = sqlx::query(&sql);
            for (c, topic, subscribed) in choices {
                q = q
                    .bind(format!(
                        "person.{c}@org{}.example",
                        c / CONTACTS_PER_ADDRESSEE
                    ))
                    .bind(topic)
                    .bind(subscribed)
                    .bind("recipient")
                    .bind("generated")
                    .bind(NOW);
            }
            q.execute(&mut *tx).await?;
        }
        // 1 % suppressed.
        let suppressed: Vec<usize> = ids.iter().copied().filter(|c| c % 100 == 42).collect();
        if !suppressed.is_empty() {
            let sql = insert_sql(
                "suppressions (address_key, reason, detail, since)",
                4,
                suppressed.len(),
            );
            let mut q = sqlx::query(&sql);
            for c in suppressed {
                q = q
                    .bind(format!(
                        "person.{c}@org{}.example",
                        c / CONTACTS_PER_ADDRESSEE
                    ))
                    .bind("unsubscribed")
                    .bind("generated")
                    .bind(NOW);
            }
            q.execute(&mut *tx).await?;
        }
    }
    tx.commit().await
}

/// `INSERT INTO <table> VALUES ($1, …), (…)` for `rows` rows of `columns` values.
fn insert_sql(table: &str, columns: usize, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * columns + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// The baseline: the rows resolution reads, in one streamed query; returns how many.
async fn streamed_select(pool: &AnyPool, query: &AudienceQuery) -> Result<u64, sqlx::Error> {
    let list: Vec<String> = (0..query.categories.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT c.address_key, c.id, c.address, c.name, c.language, c.active, c.source, \
                a.key, a.name AS addressee_name, a.language AS addressee_language, ac.category, \
                s.reason, s.detail, s.since, sub.subscribed, sub.set_by, sub.source AS sub_source, \
                sub.updated_at \
         FROM contacts c \
         JOIN addressees a ON a.id = c.addressee_id \
         JOIN addressee_categories ac ON ac.addressee_id = a.id \
         LEFT JOIN suppressions s ON s.address_key = c.address_key \
         LEFT JOIN subscriptions sub ON sub.address_key = c.address_key AND sub.topic = $1 \
         WHERE ac.category IN ({}) ORDER BY c.address_key, c.id, ac.category",
        list.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(query.topic.as_ref().map_or("", TopicId::as_str));
    for c in &query.categories {
        q = q.bind(c.id());
    }
    let mut rows = q.fetch(pool);
    let mut n = 0u64;
    while let Some(row) = rows.try_next().await? {
        let key: String = row.try_get("address_key")?;
        std::hint::black_box(key);
        n += 1;
    }
    Ok(n)
}

/// One phase's figures.
struct Figures {
    phase: &'static str,
    time: Duration,
    peak: usize,
}

/// What one database and size gave.
struct Run {
    db: Db,
    size: usize,
    generate: Duration,
    rows: u64,
    recipients: u64,
    excluded: u64,
    phases: Vec<Figures>,
}

async fn run(db: Db, size: usize) -> Result<Run, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let (url, _postgres) = test_database(db, dir.path()).await;
    let store = Store::open(&url).await?;
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&url).await?;
    let start = Instant::now();
    generate(&pool, size).await?;
    // A production database has statistics (PostgreSQL's autovacuum gathers them after a large
    // import); SQLite's planner gets none, as in production.
    if db == Db::Postgres {
        sqlx::query("ANALYZE").execute(&pool).await?;
    }
    let generated = start.elapsed();

    let text = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml"))?
        .replace("\nnumber = 36\n", "\nnumber = 36\ntopic = \"tsb-events\"\n");
    let known = DirectoryIds {
        custom_categories: Vec::new(),
        topics: vec![TopicId::parse("tsb-events")?],
    };
    let circular = Circular::from_toml_with("tsb-36.toml", &text, &known)?;
    store
        .save_draft(
            &circular,
            "tsb-36.toml",
            &[],
            "bench",
            circulars_core::domain::Via::Cli,
        )
        .await?;
    let query = AudienceQuery {
        categories: circular.audience_categories(),
        topic: circular.topic.clone(),
        page_size: circulars_contacts::resolve::RESOLUTION_PAGE,
    };
    let rules = Rules {
        topic: Some(Topic {
            id: TopicId::parse("tsb-events")?,
            name: "tsb-events".into(),
            opt_in: false,
        }),
        fallback_language: circular.fallback_language,
    };

    let (rows, base_time, base_peak) = measured(streamed_select(&pool, &query)).await;
    let rows = rows?;
    let mut members = 0u64;
    let (walked, walk_time, walk_peak) = measured(store.walk_audience(
        &query,
        |candidate| decide(&rules, candidate),
        |decision| {
            if matches!(decision, Decision::Member(_)) {
                members += 1;
            }
        },
    ))
    .await;
    walked?;
    let (frozen, freeze_time, freeze_peak) =
        measured(
            store.freeze_audience(&circular.id, &query, |candidate| decide(&rules, candidate)),
        )
        .await;
    let frozen = frozen?.ok_or("the audience was frozen already")?;
    assert_eq!(frozen.members, members, "the dry run and the freeze agree");
    pool.close().await;
    store.close().await;
    Ok(Run {
        db,
        size,
        generate: generated,
        rows,
        recipients: frozen.members,
        excluded: frozen.excluded,
        phases: vec![
            Figures {
                phase: "baseline: streamed SELECT",
                time: base_time,
                peak: base_peak,
            },
            Figures {
                phase: "dry run (circulars audience)",
                time: walk_time,
                peak: walk_peak,
            },
            Figures {
                phase: "freeze (issue)",
                time: freeze_time,
                peak: freeze_peak,
            },
        ],
    })
}

fn mib(bytes: usize) -> String {
    if bytes < 1 << 20 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}

fn report(run: &Run) {
    let db = match run.db {
        Db::Sqlite => "SQLite",
        Db::Postgres => "PostgreSQL",
    };
    println!(
        "\n{db}, {} contacts (generated in {:.1} s): {} rows read, {} recipients, {} left out",
        run.size,
        run.generate.as_secs_f64(),
        run.rows,
        run.recipients,
        run.excluded
    );
    println!(
        "| {:<30} | {:>9} | {:>14} | {:>8} | {:>10} | {:>8} |",
        "phase", "seconds", "recipients/s", "× time", "peak heap", "× heap"
    );
    let base = &run.phases[0];
    for f in &run.phases {
        let rate = run.recipients as f64 / f.time.as_secs_f64().max(1e-9);
        println!(
            "| {:<30} | {:>9.3} | {:>14.0} | {:>8.2} | {:>10} | {:>8.2} |",
            f.phase,
            f.time.as_secs_f64(),
            rate,
            f.time.as_secs_f64() / base.time.as_secs_f64().max(1e-9),
            mib(f.peak),
            f.peak as f64 / base.peak.max(1) as f64
        );
    }
}

fn argument(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let sizes: Vec<usize> = match argument("--sizes") {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().parse())
            .collect::<Result<_, _>>()?,
        None if benchmarking => vec![10_000, 100_000],
        None => vec![2_000, 8_000],
    };
    let databases: Vec<Db> = match argument("--databases") {
        Some(list) => list
            .split(',')
            .map(|s| match s.trim() {
                "sqlite" => Ok(Db::Sqlite),
                "postgres" => Ok(Db::Postgres),
                other => Err(format!("unknown database {other}: sqlite or postgres")),
            })
            .collect::<Result<_, _>>()?,
        None => vec![Db::Sqlite, Db::Postgres],
    };
    for db in databases {
        let mut peaks = Vec::new();
        for &size in &sizes {
            let run = run(db, size).await?;
            report(&run);
            peaks.push((size, run.phases[2].peak));
        }
        // The freeze holds one page of addresses at a time: its peak must not follow the audience.
        if let (Some(&(small, small_peak)), Some(&(large, large_peak))) =
            (peaks.first(), peaks.last())
        {
            let flat = large_peak <= small_peak.saturating_mul(2) + (1 << 20);
            println!(
                "freeze peak heap {} at {small} contacts, {} at {large}: {}",
                mib(small_peak),
                mib(large_peak),
                if flat { "flat" } else { "GROWS" }
            );
            if large >= 4 * small && !flat {
                return Err("the freeze's peak heap grows with the audience".into());
            }
        }
    }
    Ok(())
}
