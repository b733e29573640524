//! An admin looks after the directory from the console: searches it, reads what is held about
//! an address and why it would or would not receive a circular, checks a CSV file in a dry run
//! that names each bad line, and imports it (forgetting a person is `console_forget.rs`). An
//! operator may search and explain; a drafter may not see the directory. Staff's own systems do
//! the same over the API.

use circulars_tests::http::request;
use circulars_tests::signed_in::{api, assert_page, new_account_signed_in};
use circulars_tests::{on_both_databases, Db, Harness, DIRECTORY_HEADER, MAX_REQUEST_BYTES};

/// The sample directory and circular, and the gateway.
async fn directory_harness(db: Db) -> Harness {
    let mut h = Harness::start(db).await;
    h.import_sample_directory();
    h.draft_sample_circular();
    h.serve("gateway");
    h
}

async fn an_admin_searches_the_directory_and_explains_an_address(db: Db) {
    let h = directory_harness(db).await;
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;

    let found = ada.get("/staff/directory?q=Aldoria").await;
    assert_page(
        &found,
        200,
        &[
            "Contacts matching “Aldoria”",
            "<a href=\"/staff/directory/address?address=amara.osei%40dtc.aldoria.example\">amara.osei@dtc.aldoria.example</a>",
            "Amara Osei",
            "administration-of-aldoria",
        ],
    );
    assert!(!found.body.contains("Brightwave"), "{}", found.body);
    // The page finds what `circulars directory search` finds.
    let printed = h.circulars_ok(&["directory", "search", "Aldoria"]);
    assert!(
        printed.contains("amara.osei@dtc.aldoria.example"),
        "{printed}"
    );
    assert!(!printed.contains("Brightwave"), "{printed}");

    let address = "/staff/directory/address?address=amara.osei%40dtc.aldoria.example";
    let explained = ada.get(&format!("{address}&circular=TSB-36")).await;
    assert_page(
        &explained,
        200,
        &[
            "<h1>amara.osei@dtc.aldoria.example</h1>",
            "Contacts with the address amara.osei@dtc.aldoria.example",
            "amara.osei@dtc.aldoria.example is on the list (in a dry run on today&#39;s directory (not issued yet)), reading in en, as Amara Osei of Administration of Aldoria.",
            "category member-states: contact",
            "Every change about this address, oldest first",
        ],
    );
    // Reading the report is recorded, as `circulars directory report` is.
    let again = ada.get(address).await;
    assert_page(&again, 200, &["address.reported", "page (by ada)"]);

    let unknown = ada
        .get("/staff/directory/address?address=nobody%40nowhere.example&circular=TSB-36")
        .await;
    assert_page(
        &unknown,
        200,
        &["not on the list: the address is in no contact of the directory."],
    );
    let no_such = ada.get(&format!("{address}&circular=TSB-99")).await;
    assert_page(&no_such, 422, &["id=\"circular-error\"", "TSB-99"]);
    let not_an_address = ada
        .get("/staff/directory/address?address=not-an-address")
        .await;
    assert_page(&not_an_address, 400, &["id=\"q-error\""]);

    // An operator searches and explains, but does not read the personal report or import.
    let olga = new_account_signed_in(&h, "olga", &["operator"]).await;
    assert_page(
        &olga.get("/staff/directory?q=aldoria").await,
        200,
        &["Amara Osei"],
    );
    let explained = olga.get(&format!("{address}&circular=TSB-36")).await;
    assert_page(&explained, 200, &["is on the list"]);
    assert!(
        !explained.body.contains("Contacts with the address"),
        "{}",
        explained.body
    );
    assert_eq!(olga.get("/staff/directory/import").await.status, 403);
    // A drafter sees no directory at all.
    let dan = new_account_signed_in(&h, "dan", &["drafter"]).await;
    assert_page(
        &dan.get("/staff/directory").await,
        403,
        &["the admin or the operator role"],
    );
    assert_eq!(dan.get(address).await.status, 403);
    assert!(!dan
        .get("/staff/circulars")
        .await
        .body
        .contains("/staff/directory\""));

    // The same over the API.
    let token = h.staff_token("ida", &["admin"]);
    let (status, page) = api(
        &h,
        &token,
        "GET",
        "/api/v1/directory/search?q=aldoria&limit=1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    assert_eq!(
        page["items"][0]["address"],
        "amara.osei@dtc.aldoria.example"
    );
    assert_eq!(page["next_offset"], 1, "{page}");
    let (status, next) = api(
        &h,
        &token,
        "GET",
        "/api/v1/directory/search?q=aldoria&limit=1&offset=1",
        None,
    )
    .await;
    assert_eq!(status, 200, "{next}");
    assert_ne!(next["items"][0]["address"], page["items"][0]["address"]);
    let (status, why) = api(
        &h,
        &token,
        "GET",
        "/api/v1/directory/explain?circular=TSB-36&address=amara.osei%40dtc.aldoria.example",
        None,
    )
    .await;
    assert_eq!(
        (status, why["outcome"].as_str()),
        (200, Some("listed")),
        "{why}"
    );
    assert!(
        why["text"].as_str().unwrap().contains("is on the list"),
        "{why}"
    );
    let (status, bad) = api(
        &h,
        &token,
        "GET",
        "/api/v1/directory/search?limit=ten",
        None,
    )
    .await;
    assert_eq!(
        (status, bad["code"].as_str(), bad["field"].as_str()),
        (422, Some("invalid"), Some("limit")),
        "{bad}"
    );
    let drafter = h.staff_token("dina", &["drafter"]);
    let (status, refused) = api(&h, &drafter, "GET", "/api/v1/directory/search", None).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (403, Some("not_allowed")),
        "{refused}"
    );
}

async fn a_bad_file_gets_a_dry_run_naming_its_line_then_a_good_one_is_imported(db: Db) {
    let h = directory_harness(db).await;
    let ada = new_account_signed_in(&h, "ada", &["admin"]).await;
    let form = ada.get("/staff/directory/import").await;
    assert_page(
        &form,
        200,
        &[
            "enctype=\"multipart/form-data\"",
            "name=\"dry_run\" value=\"on\" checked",
        ],
    );

    let good_line = "ministry-of-zembla,Ministry of Zembla,,member-states,zora@zembla.example,<script>alert(1)</script> Zora,en,,active,\n";
    let bad_line =
        "ministry-of-zembla,Ministry of Zembla,,member-states,not an address,Ivo,en,,active,\n";
    let bad = format!("{DIRECTORY_HEADER}{good_line}{bad_line}");
    let import = "/staff/directory/import";
    for dry_run in [&[("dry_run", "on")][..], &[]] {
        let refused = ada
            .post_file(import, dry_run, ("file", "zembla.csv", bad.as_bytes()))
            .await;
        assert_page(
            &refused,
            422,
            &[
                "The file was refused and nothing was stored. Problems found: 1,",
                "The problems of zembla.csv",
                "<th scope=\"row\">3</th>",
                "address",
            ],
        );
    }
    let nothing = ada.get("/staff/directory?q=zembla").await;
    assert_page(&nothing, 200, &["No contact matches."]);

    let good = format!("{DIRECTORY_HEADER}{good_line}");
    let checked = ada
        .post_file(
            import,
            &[("dry_run", "on")],
            ("file", "zembla.csv", good.as_bytes()),
        )
        .await;
    assert_page(
        &checked,
        200,
        &[
            "What importing zembla.csv would change (dry run: nothing was stored)",
            "<tr><th scope=\"row\">Contacts added</th><td>1</td></tr>",
        ],
    );
    assert_page(
        &ada.get("/staff/directory?q=zembla").await,
        200,
        &["No contact matches."],
    );

    let imported = ada
        .post_file(import, &[], ("file", "zembla.csv", good.as_bytes()))
        .await;
    assert_page(
        &imported,
        200,
        &[
            "What importing zembla.csv changed",
            "<tr><th scope=\"row\">Contacts added</th><td>1</td></tr>",
        ],
    );
    let found = ada.get("/staff/directory?q=zembla").await;
    assert_page(
        &found,
        200,
        &[
            "zora@zembla.example",
            "&#60;script&#62;alert(1)&#60;/script&#62; Zora",
        ],
    );
    assert!(!found.body.contains("<script>"), "{}", found.body);

    // Without the session's token, or too large, nothing is read.
    let forged = request(
        "POST",
        &format!("{}{import}", h.gateway_url()),
        &[
            ("Cookie", ada.cookie().as_str()),
            ("Content-Type", "multipart/form-data; boundary=x"),
        ],
        b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nx\r\n--x--\r\n",
    )
    .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let huge = vec![b'x'; MAX_REQUEST_BYTES + 10];
    let too_large = ada
        .post_file(import, &[], ("file", "huge.csv", &huge))
        .await;
    assert_page(
        &too_large,
        413,
        &["id=\"file-error\"", "the limit is 65536 bytes"],
    );
}

on_both_databases!(
    an_admin_searches_the_directory_and_explains_an_address,
    a_bad_file_gets_a_dry_run_naming_its_line_then_a_good_one_is_imported,
);
