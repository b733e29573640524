//! `circulars-gateway`: where staff and operators reach circulars.
//!
//! # Layout
//! - [`console`]: the staff console's pages under `/staff` (English and French, no script):
//!   the layout, form fields and error summary every page is drawn with, the words, the
//!   security headers, the cross-site and CSRF checks, the cookies, and the sign-in page
//! - [`api`]: the staff API under `/api/v1` (circulars, their steps, delivery, directory),
//!   behind a session or an API token, with its OpenAPI document at `/api/openapi.json`
//! - [`multipart`]: `multipart/form-data` bodies with files (the draft form's annexes, the
//!   API's annex upload), read within `[gateway] max_request_bytes`
//! - [`unsubscribe`]: one-click unsubscribe (RFC 8058) at `/unsubscribe/{token}`: `POST` opts
//!   out of the circular's topic or suppresses the address; `GET` only shows what `POST` would do.
//!   Its routes and handlers are in `unsubscribe.rs`; `unsubscribe/body.rs` reads the POST body
//!   (form-urlencoded with `form_urlencoded`, multipart/form-data with `multer`);
//!   `unsubscribe/page.rs` renders the page, the plain-text answers and their headers
//! - [`archive`]: the public archive at `/circulars/{lang}/`: the issued circulars in each
//!   language, each one's page and annexes, and an Atom feed per language
//! - [`preferences`]: the recipient's preferences page at `/preferences/{token}`, in the six
//!   languages of circulars (`locales/<lang>/pages.ftl`), reached from every mail; its routes
//!   and page handler are in `preferences.rs`, the forms' handler in `preferences/change.rs`,
//!   its words in `preferences/words.rs`, its frame, pages and headers in
//!   `preferences/page.rs` (templates in `templates/preferences/`)
//! - [`live`]: one subscription per process to the tracker's progress on NATS, fanned out to
//!   the browsers watching a circular's delivery (the console's live delivery page)
//! - [`public_limit`]: the public pages (preferences, archive) rate limited per client address
//! - [`run`]: the HTTP service: `/healthz`, `/readyz` and `/metrics` (`circulars-probes`), the
//!   [`console`], [`api`],
//!   [`unsubscribe`], [`preferences`] and [`archive`] routes; `[gateway.staff_keys]` become API
//!   tokens of their accounts at start

pub mod api;
pub mod archive;
pub mod console;
pub mod live;
pub mod multipart;
pub mod preferences;
pub mod public_limit;
pub mod unsubscribe;

use circulars_runtime::ServiceContext;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Why the gateway could not serve.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The `[tokens]` keys do not make a keyring.
    #[error("tokens: {0}")]
    Tokens(#[from] circulars_core::tokens::TokenError),
    /// The staff console's or the archive's wording files do not load.
    #[error("wording: {0}")]
    Console(#[from] circulars_render::templates::TemplateError),
    /// The recipients' pages' wording files do not load.
    #[error("recipients' pages: {0}")]
    Pages(#[source] circulars_render::templates::TemplateError),
    /// The keys of `[gateway.staff_keys]` could not become API tokens.
    #[error("gateway.staff_keys: {0}")]
    StaffKeys(#[from] circulars_staff::StaffError),
    /// Serving failed (or the bound listener's address could not be read).
    #[error("HTTP server: {0}")]
    Serve(#[source] std::io::Error),
}

/// Serves HTTP on `gateway.listen` until `shutdown`.
pub async fn run(ctx: ServiceContext, shutdown: CancellationToken) -> Result<(), GatewayError> {
    let addr = ctx.config.gateway.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| GatewayError::Bind { addr, source })?;
    serve(ctx, listener, shutdown).await
}

/// Serves HTTP on an already bound `listener` until `shutdown`.
pub async fn serve(
    ctx: ServiceContext,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> Result<(), GatewayError> {
    let addr = listener.local_addr().map_err(GatewayError::Serve)?;
    let keyring = ctx.config.tokens.keyring()?;
    if keyring.is_development() {
        warn!("no [tokens] keys configured: accepting the public development key, fit only for tests and previews");
    }
    let words =
        std::sync::Arc::new(preferences::PageWords::embedded().map_err(GatewayError::Pages)?);
    let unsubscribe = unsubscribe::UnsubscribeState {
        unsubscriber: unsubscribe::Unsubscriber::new(ctx.store.clone(), keyring.clone()),
        words: words.clone(),
    };
    let preferences = preferences::PreferencesState {
        desk: circulars_contacts::preferences::PreferencesDesk::new(ctx.store.clone(), keyring),
        words,
        same_origin: console::SameOrigin::from_config(&ctx.config),
    };
    let live = live::Hub::new(ctx.store.clone(), ctx.bus.clone(), shutdown.clone());
    live.listen();
    let site = live::SiteHub::new(
        ctx.store.clone(),
        ctx.bus.clone(),
        ctx.config.smtp.relays.clone(),
        shutdown.clone(),
    );
    site.listen();
    let imported =
        circulars_staff::import_staff_keys(&ctx.store, &ctx.config.gateway.staff_keys).await?;
    if !ctx.config.gateway.staff_keys.is_empty() {
        info!(
            ?imported,
            "[gateway.staff_keys] kept as API tokens of their accounts"
        );
    }
    let app = circulars_probes::routes(ctx.clone())
        .merge(unsubscribe::routes(unsubscribe))
        .merge(preferences::routes(
            preferences,
            ctx.config.gateway.preferences_per_client_per_minute,
        ))
        .merge(archive::routes(
            archive::ArchiveState::new(&ctx.config, ctx.store.clone())?,
            ctx.config.gateway.archive_per_client_per_minute,
        ))
        .merge(api::routes(ctx.clone()))
        .merge(console::routes(console::StaffState {
            console: console::ConsoleState::new(&ctx.config)?,
            policy: circulars_lifecycle::Policy::from_config(&ctx.config.approval),
            limiter: std::sync::Arc::new(circulars_staff::SignInLimiter::from_config(
                &ctx.config.gateway,
            )),
            live: live.clone(),
            site,
            streams: live::StreamPermits::default(),
            ctx: ctx.clone(),
        }));
    info!(%addr, "gateway ready");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
    .map_err(GatewayError::Serve)?;
    info!("gateway stopped");
    Ok(())
}
