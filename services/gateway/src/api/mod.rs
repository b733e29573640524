//! The staff API under `/api/v1`: the same operations as the console and the CLI, as JSON,
//! each calling the library function that the others call; documented by the OpenAPI 3.1
//! document served at `/api/openapi.json`, generated from these handlers and the routes
//! actually mounted (utoipa-axum), so the two cannot drift apart.
//!
//! # Layout
//! - [`auth`]: who is calling (session or Bearer token), before anything else is read
//! - [`error`]: the errors' JSON shape `{code, message, field}` and their statuses
//! - [`json`]: JSON bodies and query strings read with the field at fault named
//! - [`circulars`]: the list, one circular, drafting and editing, history
//! - [`annexes`]: one annex file uploaded (`multipart/form-data`), for a language or for all
//! - [`preview`]: the six versions as recipients get them, and test copies of them
//! - [`steps`]: submit, approve, send back, issue, pause, resume, cancel
//! - [`delivery`]: the audience as it would freeze now, and the delivery status
//! - [`directory`]: the directory's import, for admins
//! - [`directory_search`]: the directory searched and an address explained (admins, operators)
//! - [`personal`]: one address's report, forgetting a person, the directory's audit trail
//! - [`accounts`]: staff accounts, for admins
//! - [`tokens`]: the accounts' API tokens, for admins
//! - [`callers`]: the role a route needs, checked before its body is read; pages of lists

pub mod accounts;
pub mod annexes;
pub mod auth;
pub mod callers;
pub mod circulars;
pub mod delivery;
pub mod directory;
pub mod directory_search;
pub mod error;
pub mod json;
pub mod personal;
pub mod preview;
pub mod steps;
pub mod tokens;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::{Json, Router};
use circulars_lifecycle::Policy;
use circulars_runtime::ServiceContext;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What every API handler reads: the services' context and the approval policy.
#[derive(Clone)]
pub struct ApiState {
    /// Store, bus and configuration.
    pub ctx: ServiceContext,
    /// `[approval]` of the configuration.
    pub policy: Policy,
}

/// The document's title, version and security scheme.
#[derive(OpenApi)]
#[openapi(
    info(title = "circulars staff API", description = "Draft, approve, issue and follow official circulars in six languages."),
    modifiers(&BearerScheme),
    security(("bearer" = [])),
    components(schemas(error::ErrorBody, error::FieldProblem))
)]
struct ApiDoc;

/// Declares the `bearer` security scheme the document's `security` names.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// The `/api/v1` routes behind authentication, and the OpenAPI document describing them.
pub fn router(ctx: ServiceContext) -> (Router, utoipa::openapi::OpenApi) {
    let store = ctx.store.clone();
    let max_bytes = ctx.config.gateway.max_request_bytes;
    let state = ApiState {
        policy: Policy::from_config(&ctx.config.approval),
        ctx,
    };
    let (routes, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(circulars::list, circulars::create))
        .routes(routes!(circulars::get_one, circulars::update))
        .routes(routes!(circulars::history))
        .routes(routes!(annexes::upload))
        .routes(routes!(preview::preview))
        .routes(routes!(preview::test_copies))
        .routes(routes!(steps::submit))
        .routes(routes!(steps::approve))
        .routes(routes!(steps::send_back))
        .routes(routes!(steps::issue))
        .routes(routes!(steps::pause))
        .routes(routes!(steps::resume))
        .routes(routes!(steps::cancel))
        .routes(routes!(delivery::audience))
        .routes(routes!(delivery::status))
        .routes(routes!(directory::import))
        .routes(routes!(directory_search::search))
        .routes(routes!(directory_search::explain))
        .routes(routes!(personal::report))
        .routes(routes!(personal::forget))
        .routes(routes!(personal::audit))
        .routes(routes!(accounts::list, accounts::add))
        .routes(routes!(accounts::disable))
        .routes(routes!(accounts::set_roles))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(tokens::tokens, tokens::create_token))
        .routes(routes!(tokens::revoke_token))
        .with_state(state)
        .split_for_parts();
    let routes =
        routes
            .layer(DefaultBodyLimit::max(max_bytes))
            .layer(axum::middleware::from_fn_with_state(
                store,
                auth::require_staff,
            ));
    (routes, openapi)
}

/// The API's routes and `GET /api/openapi.json` (public: it says nothing about the data).
pub fn routes(ctx: ServiceContext) -> Router {
    let (api, openapi) = router(ctx);
    let document = std::sync::Arc::new(openapi);
    api.route(
        "/api/openapi.json",
        get(move || {
            let document = document.clone();
            async move { Json(document.as_ref().clone()) }
        }),
    )
}
