//! Booking Desk's engine: everything the desk does, headless. The desktop shell and the
//! `bookdesk` CLI are thin fronts over [`Engine`].

pub mod api_platform;
mod approvals;
mod audit;
pub mod audit_key;
pub mod auth;
mod bars_interactions;
pub mod booking;
pub mod clinical;
pub mod clock;
pub mod config;
pub mod directory;
pub mod error;
pub mod fhir;
pub mod ids;
pub mod national;
pub mod paths;
mod platform;
pub mod private_files;
pub mod provider;
pub mod reconcile;
pub mod reports;
pub mod search;
mod search_log;
pub mod secrets;
pub mod secure_url;
pub mod standards;
pub mod store;
mod toml_place;
pub mod transport;
pub mod views;
pub mod wire;

use std::sync::Arc;

pub use error::{Error, ErrorKind, Result};

use auth::{Organisation, Session, SystemIdentity, User};
use config::DeskConfig;
use directory::Directory;
use store::Store;
use transport::{TlsSetup, Transport};

/// The CIS2 provider of a desk's configuration, before any desk is opened (the CLI's `login`),
/// reached with the desk's own TLS settings. Here, where configuration, transport and sign-in
/// meet, so that none of those modules needs another that needs it back.
pub async fn cis2_provider(config: &DeskConfig) -> Result<auth::cis2::Cis2> {
    let settings = config.cis2.as_ref().ok_or_else(|| {
        Error::config("This desk has no [cis2] section: there is nothing to sign in to.")
    })?;
    let tls = TlsSetup::from_keyring(&config.tls, &config.secrets.namespace)?;
    let transport = Transport::new(config.http.clone(), &tls)?;
    auth::cis2::Cis2::discover(settings, transport.client().clone(), clock::system()).await
}

/// A desk before anyone signs in: its services, HTTP client and bookings store. It cannot send
/// anything; [`Desk::sign_in`] turns it into an [`Engine`] that acts for one named person.
#[derive(Clone)]
pub struct Desk {
    inner: Arc<DeskParts>,
}

struct DeskParts {
    directory: Directory,
    organisation: Organisation,
    /// Others whose staff work here; a CIS2 role at one of them acts for it.
    other_organisations: Vec<Organisation>,
    system: SystemIdentity,
    transport: Transport,
    store: Store,
    /// The national API platform (BaRS), when configured.
    platform: Option<config::PlatformSettings>,
    /// The national services' addresses (PDS), when configured.
    national: config::NationalSettings,
    secrets_namespace: String,
    /// This desk's name in the registry, so a centre's reports can tell desks apart.
    desk_name: String,
    /// Made at the first BaRS request, so a desk whose platform secrets are missing still
    /// books into every other service.
    tokens: tokio::sync::OnceCell<api_platform::token::TokenCache>,
    /// Platform credentials still to be made, by the first BaRS request (the demo's).
    credentials_to_make: std::sync::Mutex<Option<MakeCredentials>>,
    /// Where every part of the desk reads the time.
    clock: Arc<dyn clock::Clock>,
    /// NHS CIS2, when people sign in with it.
    cis2: Option<auth::cis2::Cis2Settings>,
    /// Whether someone may be named without proof (a simulator-only desk).
    unproved_allowed: bool,
    idle_lock_minutes: u32,
    /// Clinicians who proved who they are to approve a late slot, by ticket.
    approvals: approvals::Approvals,
    /// The DoS account's password when given in memory (the demo's); else the keyring's.
    dos_password: std::sync::OnceLock<secrets::Secret>,
}

/// Makes an API key and a signing key, when first awaited.
type MakeCredentials = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(secrets::Secret, secrets::Secret)>> + Send>,
>;

/// A shared registry's password, from the keyring: looked for only when the store is a
/// PostgreSQL URL, and a keyring that cannot be reached matters only when one is stored there.
fn registry_password(config: &DeskConfig) -> Result<Option<secrets::Secret>> {
    if !config.store.starts_with("postgres") {
        return Ok(None);
    }
    let keyring = secrets::Keyring::new(config.secrets.namespace.clone());
    match keyring.get(secrets::SecretName::RegistryPassword) {
        Ok(found) => Ok(found),
        // On this machine a server may trust the desk without one (the tests, a local server);
        // elsewhere the connection needs it, and the keyring's own error says what to do.
        Err(e) if store_is_remote(&config.store) => Err(e),
        Err(_) => Ok(None),
    }
}

fn store_is_remote(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| !h.is_empty() && !secure_url::is_loopback_host(&h))
}

/// Opens the configured registry (with its password from the keyring when it is shared),
/// encrypted (a SQLite file) and its audit trail sealed with the desk's audit key.
pub async fn open_store(config: &DeskConfig) -> Result<Store> {
    audit_key::open_sealed(config, registry_password(config)?.as_ref()).await
}

impl Desk {
    /// Prepares the HTTP client (with the client key from the keyring when a client certificate
    /// is configured) and opens the bookings store.
    pub async fn open(config: &DeskConfig) -> Result<Self> {
        let tls = TlsSetup::from_keyring(&config.tls, &config.secrets.namespace)?;
        Self::open_with_tls(config, tls).await
    }

    /// As [`Desk::open`], with the TLS setup given (e.g. a client key that is not in a keyring).
    pub async fn open_with_tls(config: &DeskConfig, tls: TlsSetup) -> Result<Self> {
        // TLS is set up first so that a wrong [tls] section leaves no store file behind.
        let transport = Transport::new(config.http.clone(), &tls)?;
        let store = open_store(config).await?;
        Ok(Self::assemble(config, store, transport))
    }

    /// A desk over an open store; the client key comes from the keyring, which is consulted only
    /// when a client certificate is configured.
    pub fn from_parts(config: &DeskConfig, store: Store) -> Result<Self> {
        let tls = TlsSetup::from_keyring(&config.tls, &config.secrets.namespace)?;
        Self::from_parts_with_tls(config, store, tls)
    }

    /// A desk over an open store with the TLS setup given.
    pub fn from_parts_with_tls(config: &DeskConfig, store: Store, tls: TlsSetup) -> Result<Self> {
        let transport = Transport::new(config.http.clone(), &tls)?;
        Ok(Self::assemble(config, store, transport))
    }

    fn assemble(config: &DeskConfig, store: Store, transport: Transport) -> Self {
        Self {
            inner: Arc::new(DeskParts {
                directory: config.directory.clone(),
                organisation: config.organisation.clone(),
                other_organisations: config.other_organisations.clone(),
                system: config.system.clone(),
                transport,
                store,
                platform: config.platform.clone(),
                national: config.national.clone(),
                secrets_namespace: config.secrets.namespace.clone(),
                desk_name: config.desk.resolved_name(),
                tokens: tokio::sync::OnceCell::new(),
                credentials_to_make: std::sync::Mutex::new(None),
                clock: clock::system(),
                cis2: config.cis2.clone(),
                unproved_allowed: config.unproved_sign_in_allowed(),
                idle_lock_minutes: config.desk.idle_lock_minutes,
                approvals: approvals::Approvals::default(),
                dos_password: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The same desk reading the time from `clock` (tests run the desk at chosen instants).
    /// Call before the desk is shared: a desk already cloned keeps its clock and this says so.
    pub fn with_clock(self, clock: Arc<dyn clock::Clock>) -> Result<Self> {
        let mut parts = Arc::try_unwrap(self.inner).map_err(|_| {
            Error::internal("The desk's clock can only be set before the desk is in use.")
        })?;
        parts.transport = parts.transport.with_clock(clock.clone());
        parts.clock = clock;
        Ok(Self {
            inner: Arc::new(parts),
        })
    }

    /// The desk's clock.
    pub fn clock(&self) -> &dyn clock::Clock {
        self.inner.clock.as_ref()
    }

    /// The Personal Demographics Service's root, when configured.
    pub fn pds_url(&self) -> Option<&str> {
        self.inner.national.pds_url.as_deref()
    }

    pub fn sds_url(&self) -> Option<&str> {
        self.inner.national.sds_url.as_deref()
    }

    /// The BaRS API's one root on the national API platform.
    pub fn bars_url(&self) -> Option<&str> {
        self.inner.national.bars_url.as_deref()
    }

    /// Gives the Directory of Services account's password in memory (the embedded demo's
    /// throwaway one), instead of the keyring's `dos-password`.
    pub fn use_dos_password(&self, password: secrets::Secret) -> Result<()> {
        self.inner
            .dos_password
            .set(password)
            .map_err(|_| Error::internal("The DoS password was already given."))
    }

    /// The DoS account, when the desk has one.
    pub(crate) fn dos_account(&self) -> Result<Option<(String, national::dos::DosAccount)>> {
        let n = &self.inner.national;
        let (Some(url), Some(username)) = (&n.dos_url, &n.dos_username) else {
            return Ok(None);
        };
        let password = match self.inner.dos_password.get() {
            Some(p) => p.clone(),
            None => secrets::Keyring::new(self.inner.secrets_namespace.clone())
                .require(secrets::SecretName::DosPassword)?,
        };
        Ok(Some((
            url.clone(),
            national::dos::DosAccount {
                username: username.clone(),
                password,
            },
        )))
    }

    /// The organisation this desk works for, shown on the sign-in screen.
    pub fn organisation(&self) -> &Organisation {
        &self.inner.organisation
    }

    /// This desk's name, as its registry entries carry it.
    pub fn name(&self) -> &str {
        &self.inner.desk_name
    }

    /// An engine acting for `user`; the user is checked (named, with SDS ids) first.
    /// Uses these platform credentials instead of the keyring's. For the embedded demo, whose
    /// throwaway key is made at each start for a simulator on this machine; a real desk's
    /// credentials live only in the keyring. Call before the first BaRS request.
    pub fn use_platform_credentials(
        &self,
        api_key: secrets::Secret,
        signing_key: secrets::Secret,
    ) -> Result<()> {
        let cache = self.token_cache(api_key, signing_key)?;
        self.inner
            .tokens
            .set(cache)
            .map_err(|_| Error::internal("The platform credentials were already in use."))
    }

    /// As [`Desk::use_platform_credentials`], with credentials that `make` makes only when a
    /// BaRS service is first asked: the demo's throwaway key is a prime search of random length,
    /// which need not hold up the desk's start.
    pub fn use_platform_credentials_when_needed(
        &self,
        make: impl std::future::Future<Output = Result<(secrets::Secret, secrets::Secret)>>
        + Send
        + 'static,
    ) -> Result<()> {
        self.platform_settings()?;
        *self
            .inner
            .credentials_to_make
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(Box::pin(make));
        Ok(())
    }

    fn token_cache(
        &self,
        api_key: secrets::Secret,
        signing_key: secrets::Secret,
    ) -> Result<api_platform::token::TokenCache> {
        api_platform::token::TokenCache::with_client(
            self.platform_settings()?.clone(),
            api_key,
            signing_key,
            self.inner.transport.client().clone(),
            self.inner.clock.clone(),
        )
    }

    fn platform_settings(&self) -> Result<&config::PlatformSettings> {
        self.inner.platform.as_ref().ok_or_else(|| {
            Error::config(
                "BaRS services need the national API platform, and the configuration has no \
                 [platform] section.",
            )
            .with_next_step(
                "Ask your system administrator to add [platform] token_url and key_id to the \
                 desk's configuration.",
            )
        })
    }

    /// The platform's token cache: the one given, or one made from the keyring's secrets.
    pub(crate) async fn platform_tokens(&self) -> Result<&api_platform::token::TokenCache> {
        self.inner
            .tokens
            .get_or_try_init(|| async {
                let to_make = self
                    .inner
                    .credentials_to_make
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take();
                // Taken once: should making them fail (it does not, short of a broken random
                // source), later requests look in the keyring and say what is missing there.
                if let Some(make) = to_make {
                    let (api_key, signing_key) = make.await?;
                    return self.token_cache(api_key, signing_key);
                }
                let settings = self.platform_settings()?.clone();
                let keyring = secrets::Keyring::new(self.inner.secrets_namespace.clone());
                api_platform::token::TokenCache::from_keyring(
                    settings,
                    &keyring,
                    self.inner.transport.client().clone(),
                    self.inner.clock.clone(),
                )
            })
            .await
    }

    /// Signs in someone named at the desk without proof: only where nothing they send can reach
    /// a real service (the demo, tests). Everywhere else people sign in with CIS2.
    pub fn sign_in(&self, user: User) -> Result<Engine> {
        if self.inner.cis2.is_some() {
            return Err(Error::new(ErrorKind::SignInRequired)
                .with_message("This desk signs people in with NHS CIS2, not by a typed name.")
                .with_next_step("Sign in with your smartcard or authenticator."));
        }
        if !self.inner.unproved_allowed {
            return Err(cis2_required());
        }
        // At sign-in the details were typed just now: say so, not "the configuration".
        let session = Session::new(
            user,
            self.inner.organisation.clone(),
            self.inner.system.clone(),
            auth::Proof::Unproved,
        )
        .map_err(|e| Error {
            kind: ErrorKind::InvalidInput,
            next_step: "Correct your details and sign in again.".into(),
            ..e
        })?;
        Ok(Engine {
            desk: self.clone(),
            session: Arc::new(session),
            found: Arc::default(),
        })
    }

    /// Signs in a person CIS2 vouched for, in one of the roles their profiles give them here.
    pub fn sign_in_proved(
        &self,
        identity: &auth::cis2::ProvedIdentity,
        choice: &auth::cis2::RoleChoice,
    ) -> Result<Engine> {
        self.check_choice(identity, choice)?;
        // The organisation is the chosen role's, as CIS2 applications act for it.
        let session = Session::new(
            identity.user(choice),
            self.organisation_of(&choice.profile.org_code)?,
            self.inner.system.clone(),
            auth::Proof::Cis2 {
                expires_at: identity.expires_at(),
            },
        )?;
        session.check_current(self.clock().now())?;
        Ok(Engine {
            desk: self.clone(),
            session: Arc::new(session),
            found: Arc::default(),
        })
    }

    /// `choice` is one this desk gives `identity`.
    fn check_choice(
        &self,
        identity: &auth::cis2::ProvedIdentity,
        choice: &auth::cis2::RoleChoice,
    ) -> Result<()> {
        let settings = self.inner.cis2.as_ref().ok_or_else(|| {
            Error::config("This desk has no [cis2] section, so nobody can sign in with CIS2.")
        })?;
        let ok = identity
            .choices(&settings.roles, &self.organisation_codes())?
            .contains(choice);
        if ok {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::NotPermitted)
                .with_message("That role is not one your CIS2 roles give you at this desk.")
                .with_next_step("Choose one of the roles offered."))
        }
    }

    /// How people sign in here: CIS2's settings, or `None` on a simulator-only desk.
    pub fn cis2_settings(&self) -> Option<&auth::cis2::Cis2Settings> {
        self.inner.cis2.as_ref()
    }

    /// Whether people may sign in here by name alone (the demo).
    pub fn unproved_sign_in_allowed(&self) -> bool {
        self.inner.unproved_allowed
    }

    /// Minutes a desk may be left before it locks.
    pub fn idle_lock_minutes(&self) -> u32 {
        self.inner.idle_lock_minutes
    }

    /// The CIS2 provider, discovered now (its keys may have changed since the last sign-in).
    pub async fn cis2(&self) -> Result<auth::cis2::Cis2> {
        let settings = self.inner.cis2.as_ref().ok_or_else(cis2_required)?;
        auth::cis2::Cis2::discover(
            settings,
            self.inner.transport.client().clone(),
            self.inner.clock.clone(),
        )
        .await
    }

    /// Records a clinician who proved who they are at the desk to approve a late slot; the
    /// ticket returned is what the booking names.
    pub fn approver_proved(
        &self,
        identity: &auth::cis2::ProvedIdentity,
        choice: &auth::cis2::RoleChoice,
    ) -> Result<clinical::Approver> {
        self.check_choice(identity, choice)?;
        let user = identity.user(choice);
        self.inner
            .approvals
            .add(&user, choice.profile.display_name(), self.clock().now())
    }

    /// The roles `identity` may work in at this desk (its organisation's role profiles the
    /// centre's table maps); none is an error saying why.
    pub fn choices(
        &self,
        identity: &auth::cis2::ProvedIdentity,
    ) -> Result<Vec<auth::cis2::RoleChoice>> {
        let settings = self.inner.cis2.as_ref().ok_or_else(cis2_required)?;
        identity.choices(&settings.roles, &self.organisation_codes())
    }

    /// The ODS codes of the organisations people may act for here, the desk's own first.
    fn organisation_codes(&self) -> Vec<&str> {
        config::organisation_codes(&self.inner.organisation, &self.inner.other_organisations)
    }

    /// The configured organisation with ODS code `ods`.
    fn organisation_of(&self, ods: &str) -> Result<Organisation> {
        std::iter::once(&self.inner.organisation)
            .chain(&self.inner.other_organisations)
            .find(|o| o.ods.as_str().eq_ignore_ascii_case(ods.trim()))
            .cloned()
            .ok_or_else(|| {
                Error::new(ErrorKind::NotPermitted)
                    .with_message(format!(
                        "This desk does not act for the organisation {ods}."
                    ))
                    .with_next_step("Choose one of the roles offered.")
            })
    }

    /// A clinician proves who they are with CIS2 (`open` shows the provider's page) to approve
    /// a late slot, in their clinician role here.
    pub async fn approver_signing_in(
        &self,
        open: impl FnOnce(&str) -> Result<()>,
    ) -> Result<clinical::Approver> {
        let identity = self.cis2().await?.sign_in(open).await?;
        let clinician = self
            .choices(&identity)?
            .into_iter()
            .find(|c| c.role == auth::Role::Clinician)
            .ok_or_else(|| {
                Error::new(ErrorKind::NotPermitted)
                    .with_message(format!(
                        "{} has no clinician role at this desk, so cannot approve the slot.",
                        identity.name()
                    ))
                    .with_next_step("Ask a clinician to sign in to approve it.")
            })?;
        self.approver_proved(&identity, &clinician)
    }

    /// A clinician named at a simulator-only desk (the demo) approves a late slot.
    pub fn approver_named(&self, name: &str) -> Result<clinical::Approver> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid(
                "Give the approving clinician's name (at most 100 characters).",
            ));
        }
        self.approver_unproved(User {
            name: name.to_string(),
            sds_user_id: "UNK".into(),
            sds_role_profile_id: "UNK".into(),
            local_id: "named-approver".into(),
            role: auth::Role::Clinician,
        })
    }

    /// As [`Desk::approver_proved`], for a clinician named at a simulator-only desk.
    pub fn approver_unproved(&self, user: User) -> Result<clinical::Approver> {
        if !self.inner.unproved_allowed {
            return Err(cis2_required());
        }
        self.inner
            .approvals
            .add(&user, "demo clinician".into(), self.clock().now())
    }

    pub(crate) fn approver(&self, ticket: &str) -> Result<clinical::Approver> {
        self.inner.approvals.get(ticket, self.clock().now())
    }
}

/// Said where someone tries to work without proving who they are.
fn cis2_required() -> Error {
    Error::config(
        "This desk reaches real services, so people sign in with their NHS smartcard or \
         authenticator (CIS2), and it has no [cis2] section.",
    )
    .with_next_step(
        "Ask your IT team to add [cis2] issuer and client_id to the desk's configuration.",
    )
}

/// The engine: everything the desk does, for the signed-in person. Cheap to clone, shared by
/// every command and search task.
#[derive(Clone)]
pub struct Engine {
    desk: Desk,
    session: Arc<Session>,
    /// What this sign-in learnt from the national directories: SDS's endpoints, and the
    /// services found in the DoS that can be booked, for this session only.
    found: Arc<national::Found>,
}

impl Engine {
    /// Opens the desk and signs in the configuration's user (a simulator-only desk's way).
    pub async fn open(config: DeskConfig) -> Result<Self> {
        let session = config.session()?;
        Desk::open(&config).await?.sign_in(session.user)
    }

    /// The desk this engine works at, to sign someone else in.
    pub fn desk(&self) -> &Desk {
        &self.desk
    }

    pub fn directory(&self) -> &Directory {
        &self.desk.inner.directory
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Ok when the signed-in person's role may do `action`; checked before anything reaches a
    /// service or the registry on their behalf.
    pub(crate) fn may(&self, action: auth::permissions::Action) -> Result<()> {
        auth::permissions::check(self.session.user.role, action)
    }

    pub fn store(&self) -> &Store {
        &self.desk.inner.store
    }

    /// The desk's clock: every "now" and "today" the engine uses.
    pub fn clock(&self) -> &dyn clock::Clock {
        self.desk.clock()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.desk.inner.transport
    }

    pub(crate) fn sds_cache(&self) -> &national::sds::SdsCache {
        &self.found.sds
    }

    /// The service `id`: one in the services directory, or one this session found in the
    /// Directory of Services with its endpoint from SDS.
    pub fn service(&self, id: &ids::ServiceId) -> Result<directory::Service> {
        match self.directory().get(id) {
            Ok(s) => Ok(s.clone()),
            Err(e) => self.found.service(id).ok_or(e),
        }
    }
}
