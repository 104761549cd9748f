//! Sign-in with NHS Care Identity Service 2 (CIS2), an OpenID Connect provider: the
//! authorisation code flow with PKCE for a native app, returning to a loopback address
//! (RFC 8252). Discovery, and the ID token's signature, issuer, audience, nonce and expiry, are
//! checked by the `openidconnect` crate; the person's SDS user id and role profiles are then read
//! from the verified token. Tokens live in memory only (the CLI keeps its session in the OS
//! keyring until it expires), never in a file or a log.

mod browser;
pub mod claims;
mod loopback;
pub use browser::open_system_browser;
pub mod roles;
pub mod stored;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use claims::RoleProfile;
pub use loopback::CALLBACK_PATH;
pub use roles::{RoleMapping, RoleRule};

use crate::auth::{Role, User};
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::Secret;
use claims::{Cis2Claims, refused};

/// `[cis2]` in the desk's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cis2Settings {
    /// The OpenID provider's issuer, as its discovery document names it.
    pub issuer: String,
    /// This installation's client id, registered with CIS2 as a native app.
    pub client_id: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// How long the desk waits for the person to finish signing in.
    #[serde(default = "default_sign_in_secs")]
    pub sign_in_timeout_secs: u64,
    #[serde(default)]
    pub roles: RoleMapping,
}

/// CIS2's scopes (its "Scopes and claims" page): `nhsperson` for the SDS user id and assurance
/// level, `nationalrbacaccess` for the role profiles.
fn default_scopes() -> Vec<String> {
    ["openid", "profile", "nhsperson", "nationalrbacaccess"]
        .map(String::from)
        .to_vec()
}

fn default_sign_in_secs() -> u64 {
    300
}

impl Cis2Settings {
    pub fn check(&self) -> Result<()> {
        crate::secure_url::check(&self.issuer, "CIS2 issuer")?;
        if self.client_id.trim().is_empty() {
            return Err(Error::config(
                "[cis2] needs client_id, this desk's CIS2 client id.",
            ));
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(Error::config("[cis2] scopes must include openid."));
        }
        if self.sign_in_timeout_secs == 0 {
            return Err(Error::config(
                "[cis2] sign_in_timeout_secs must be at least 1.",
            ));
        }
        Ok(())
    }
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// A CIS2 provider, discovered.
pub struct Cis2 {
    client: Client,
    http: reqwest::Client,
    settings: Cis2Settings,
    clock: Arc<dyn Clock>,
}

/// A sign-in begun: the page to open, and what its answer must match.
pub struct PendingSignIn {
    /// The provider's sign-in page for this attempt.
    pub url: String,
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    redirect: String,
}

impl PendingSignIn {
    /// The nonce the ID token must carry (it is in the page's address, so no secret).
    pub fn nonce(&self) -> &str {
        self.nonce.secret()
    }
}

/// The person CIS2 vouched for: made only from an ID token the desk has verified.
#[derive(Clone)]
pub struct ProvedIdentity {
    name: String,
    sds_user_id: String,
    subject: String,
    profiles: Vec<RoleProfile>,
    expires_at: DateTime<Utc>,
    assurance_level: Option<String>,
    id_token: Secret,
}

impl std::fmt::Debug for ProvedIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProvedIdentity")
            .field("sds_user_id", &self.sds_user_id)
            .field("profiles", &self.profiles.len())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// One way to work at this desk that a person's CIS2 roles give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RoleChoice {
    pub role: Role,
    pub profile: RoleProfile,
    /// The profile's job role as people read it (CIS2's quoting removed), for the chooser.
    pub job_role_name: String,
}

impl ProvedIdentity {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn sds_user_id(&self) -> &str {
        &self.sds_user_id
    }

    pub fn profiles(&self) -> &[RoleProfile] {
        &self.profiles
    }

    /// When the ID token, and so the desk's session, ends.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    pub fn assurance_level(&self) -> Option<&str> {
        self.assurance_level.as_deref()
    }

    /// The verified ID token, for the CLI to keep in the keyring between commands.
    pub fn id_token(&self) -> &Secret {
        &self.id_token
    }

    /// Every role this person may work in here: their role profiles at the organisations the
    /// desk serves (`orgs`, ODS codes) that the centre's table maps to a desk role. The
    /// organisation a choice acts for is its profile's. None is an error saying why.
    pub fn choices(&self, mapping: &RoleMapping, orgs: &[&str]) -> Result<Vec<RoleChoice>> {
        let here: Vec<&RoleProfile> = self
            .profiles
            .iter()
            .filter(|p| {
                orgs.iter()
                    .any(|o| p.org_code.eq_ignore_ascii_case(o.trim()))
            })
            .collect();
        let choices: Vec<RoleChoice> = here
            .iter()
            .flat_map(|p| {
                mapping.roles_for(p).into_iter().map(|role| RoleChoice {
                    role,
                    job_role_name: p.display_name(),
                    profile: (*p).clone(),
                })
            })
            .collect();
        if !choices.is_empty() {
            return Ok(choices);
        }
        let why = if here.is_empty() {
            format!(
                "None of your CIS2 role profiles is at an organisation this desk serves ({}).",
                orgs.join(", ")
            )
        } else {
            let roles: Vec<String> = here
                .iter()
                .map(|p| format!("{} ({})", p.display_name(), p.job_role()))
                .collect();
            format!(
                "Your CIS2 roles here ({}) do not include one that may use Booking Desk.",
                roles.join(", ")
            )
        };
        Err(Error::new(ErrorKind::NotPermitted)
            .with_message(why)
            .with_next_step(
                "Ask your Registration Authority for a call handler, clinician or supervisor role \
                 at this organisation, or your IT team to add your role to the desk's [cis2.roles].",
            ))
    }

    /// The desk's user for one of this person's choices.
    pub fn user(&self, choice: &RoleChoice) -> User {
        User {
            name: self.name.clone(),
            sds_user_id: self.sds_user_id.clone(),
            sds_role_profile_id: choice.profile.role_profile_id.clone(),
            local_id: self.subject.clone(),
            role: choice.role,
        }
    }
}

impl Cis2 {
    /// Reads the provider's discovery document and keys.
    pub async fn discover(
        settings: &Cis2Settings,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        settings.check()?;
        let issuer = IssuerUrl::new(settings.issuer.clone())
            .map_err(|_| Error::config("The CIS2 issuer is not a URL."))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| {
                Error::new(ErrorKind::Unavailable)
                    .with_message("The NHS sign-in service (CIS2) could not be reached or did not describe itself.")
                    .with_next_step("Check the network and try again; if it keeps failing, call your IT service desk.")
                    .with_diagnostics(e.to_string())
            })?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            None,
        );
        Ok(Self {
            client,
            http,
            settings: settings.clone(),
            clock,
        })
    }

    /// A sign-in returning to `redirect_uri`.
    pub fn begin(&self, redirect_uri: &str) -> Result<PendingSignIn> {
        let redirect = RedirectUrl::new(redirect_uri.to_string())
            .map_err(|_| Error::config("The sign-in's return address is not a URL."))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .set_pkce_challenge(challenge);
        for scope in self.settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(PendingSignIn {
            url: url.to_string(),
            state,
            nonce,
            verifier,
            redirect: redirect_uri.to_string(),
        })
    }

    /// Turns the provider's answer (the redirect's query) into a verified identity: the state
    /// must match, the code is exchanged with the PKCE verifier, and the ID token checked.
    pub async fn finish(
        &self,
        pending: PendingSignIn,
        answer: &std::collections::HashMap<String, String>,
    ) -> Result<ProvedIdentity> {
        if let Some(error) = answer.get("error") {
            let detail = answer
                .get("error_description")
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            return Err(refused(format!(
                "The NHS sign-in service did not sign you in ({error}{detail})."
            )));
        }
        let state = answer.get("state").map(String::as_str).unwrap_or_default();
        if digest(state) != digest(pending.state.secret()) {
            return Err(refused(
                "The sign-in's answer was not for this sign-in (its state did not match), so it was ignored.",
            ));
        }
        let code = answer
            .get("code")
            .filter(|c| !c.is_empty())
            .ok_or_else(|| refused("The sign-in's answer carried no code."))?;
        let redirect = RedirectUrl::new(pending.redirect.clone())
            .map_err(|_| Error::config("The sign-in's return address is not a URL."))?;
        let tokens = self
            .client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .map_err(|e| {
                Error::config("The CIS2 provider has no token endpoint.")
                    .with_diagnostics(e.to_string())
            })?
            .set_pkce_verifier(pending.verifier)
            .set_redirect_uri(std::borrow::Cow::Owned(redirect))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                refused("The NHS sign-in service did not complete the sign-in.")
                    .with_diagnostics(e.to_string())
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refused("The sign-in service's answer had no ID token."))?;
        let id_token = Secret::new(id_token.to_string());
        let (subject, expires_at, claims) = self.verified(&id_token, pending.nonce.secret())?;
        let claims = match self
            .user_info(tokens.access_token().secret(), &subject)
            .await?
        {
            Some(more) => claims.overlaid_with(more),
            None => claims,
        };
        identity(subject, expires_at, claims, id_token)
    }

    /// The person's claims from the provider's userinfo endpoint (where CIS2 serves them), when
    /// it has one; they must be about the ID token's subject.
    async fn user_info(&self, access_token: &str, subject: &str) -> Result<Option<Cis2Claims>> {
        let Some(url) = self.client.user_info_url() else {
            return Ok(None);
        };
        let failed = |e: String| {
            refused("The NHS sign-in service did not say who you are (its userinfo failed).")
                .with_diagnostics(e)
        };
        let resp = self
            .http
            .get(url.url().clone())
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(failed(format!("HTTP {}", resp.status())));
        }
        let body = resp.bytes().await.map_err(|e| failed(e.to_string()))?;
        let claims = Cis2Claims::from_verified_payload(&body)?;
        if claims.subject() != Some(subject) {
            return Err(refused(
                "The sign-in service's userinfo was about someone else, so it was not used.",
            ));
        }
        Ok(Some(claims))
    }

    /// Checks an ID token's signature against the provider's keys, its issuer, audience, nonce
    /// and expiry (by the desk's clock), then reads who it names.
    pub fn verify(&self, id_token: &Secret, nonce: &str) -> Result<ProvedIdentity> {
        let (subject, expires_at, claims) = self.verified(id_token, nonce)?;
        identity(subject, expires_at, claims, id_token.clone())
    }

    /// The subject, expiry and CIS2 claims of an ID token whose signature, issuer, audience,
    /// nonce and expiry (by the desk's clock) hold.
    fn verified(
        &self,
        id_token: &Secret,
        nonce: &str,
    ) -> Result<(String, DateTime<Utc>, Cis2Claims)> {
        let token: CoreIdToken = id_token
            .expose()
            .parse()
            .map_err(|_| refused("The sign-in service's ID token could not be read."))?;
        let clock = Arc::clone(&self.clock);
        let verifier = self
            .client
            .id_token_verifier()
            .set_time_fn(move || clock.now());
        let claims = token
            .claims(&verifier, &Nonce::new(nonce.to_string()))
            .map_err(explain)?;
        let expires_at = claims.expiration();
        let subject = claims.subject().as_str().to_string();
        // The signature and claims above are verified: the payload can now be read for CIS2's
        // own claims, which the OpenID library does not know.
        let payload = id_token
            .expose()
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .ok_or_else(|| refused("The sign-in service's ID token could not be read."))?;
        Ok((
            subject,
            expires_at,
            Cis2Claims::from_verified_payload(&payload)?,
        ))
    }

    /// The whole sign-in: listens on a loopback port, has `open` show the provider's page there,
    /// and waits for the person to finish (at most `[cis2] sign_in_timeout_secs`).
    pub async fn sign_in(&self, open: impl FnOnce(&str) -> Result<()>) -> Result<ProvedIdentity> {
        let listener = loopback::Loopback::bind().await?;
        let pending = self.begin(&listener.redirect_uri())?;
        open(&pending.url)?;
        let answer = listener
            .wait(Duration::from_secs(self.settings.sign_in_timeout_secs))
            .await?;
        self.finish(pending, &answer).await
    }

    pub fn settings(&self) -> &Cis2Settings {
        &self.settings
    }
}

/// The identity the verified claims name.
fn identity(
    subject: String,
    expires_at: DateTime<Utc>,
    claims: Cis2Claims,
    id_token: Secret,
) -> Result<ProvedIdentity> {
    let person = claims.person()?;
    Ok(ProvedIdentity {
        name: person.name,
        sds_user_id: person.sds_user_id,
        subject,
        profiles: person.profiles,
        expires_at,
        assurance_level: person.assurance_level,
        id_token,
    })
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Why a token was refused, in words for the person and the IT service desk.
fn explain(e: ClaimsVerificationError) -> Error {
    let message = match &e {
        ClaimsVerificationError::Expired(_) => {
            "Your NHS sign-in has expired (check this computer's clock if you have only just signed in)."
        }
        ClaimsVerificationError::InvalidIssuer(_) => {
            "The sign-in came from a different identity provider than this desk trusts (its issuer did not match)."
        }
        ClaimsVerificationError::InvalidAudience(_) => {
            "The sign-in was made for a different application (its audience was not this desk)."
        }
        ClaimsVerificationError::InvalidNonce(_) => {
            "The sign-in's answer was not for this sign-in (its nonce did not match)."
        }
        ClaimsVerificationError::SignatureVerification(_) => {
            "The sign-in's ID token was not signed by the identity provider's published keys."
        }
        _ => "The sign-in's ID token was not accepted.",
    };
    refused(message).with_diagnostics(e.to_string())
}
