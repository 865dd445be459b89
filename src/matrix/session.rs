//! Logging in and restoring the bot's device. The saved session and the sqlite crypto
//! store belong together: losing either would silently create a new device and lose the
//! encryption keys, so start-up refuses and says what to do instead.

use crate::config::Config;
use anyhow::{bail, Context};
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::encryption::{BackupDownloadStrategy, EncryptionSettings};
use matrix_sdk::ruma::{OwnedDeviceId, OwnedUserId};
use matrix_sdk::{Client, SessionMeta, SessionTokens};
use std::path::{Path, PathBuf};

const CRYPTO_STORE_FILE: &str = "matrix-sdk-crypto.sqlite3";

pub struct Paths {
    pub store_dir: PathBuf,
    pub session_file: PathBuf,
}

impl Paths {
    pub fn new(data_dir: &Path) -> Paths {
        Paths { store_dir: data_dir.join("matrix-store"), session_file: data_dir.join("matrix-session.json") }
    }
}

pub async fn connect(config: &Config) -> anyhow::Result<Client> {
    let paths = Paths::new(&config.bot.data_dir);
    let m = &config.matrix;
    let crypto_store_exists = paths.store_dir.join(CRYPTO_STORE_FILE).exists();
    let session_saved = paths.session_file.exists();
    if session_saved && !crypto_store_exists {
        bail!(
            "the saved Matrix session ({}) has lost its crypto store ({}). Starting now would \
             create a new device without the bot's encryption keys. Restore the store from backup, \
             or delete {} to log in as a new device (then verify it again in encrypted rooms).",
            paths.session_file.display(),
            paths.store_dir.display(),
            paths.session_file.display()
        );
    }
    if !session_saved && crypto_store_exists && m.password.is_some() {
        bail!(
            "a crypto store exists in {} but its session file {} is missing. Restore the session file, \
             or delete {} to log in as a new device.",
            paths.store_dir.display(),
            paths.session_file.display(),
            paths.store_dir.display()
        );
    }

    let client = Client::builder()
        .homeserver_url(&m.homeserver)
        .sqlite_store(&paths.store_dir, m.store_passphrase.as_deref())
        .with_encryption_settings(EncryptionSettings {
            auto_enable_cross_signing: true,
            backup_download_strategy: BackupDownloadStrategy::AfterDecryptionFailure,
            auto_enable_backups: m.recovery_passphrase.is_some(),
        })
        .build()
        .await
        .context("could not set up the Matrix client")?;

    if session_saved {
        let saved = std::fs::read_to_string(&paths.session_file)
            .with_context(|| format!("could not read {}", paths.session_file.display()))?;
        let session: MatrixSession = serde_json::from_str(&saved)
            .with_context(|| format!("{} is not a saved Matrix session", paths.session_file.display()))?;
        if session.meta.user_id.as_str() != m.user_id {
            bail!(
                "{} belongs to {}, but matrix.user_id is {}; use another data_dir for another account",
                paths.session_file.display(),
                session.meta.user_id,
                m.user_id
            );
        }
        client.restore_session(session).await.context("could not restore the saved Matrix session")?;
        tracing::info!(user = %m.user_id, "restored the saved Matrix session");
    } else if let Some(password) = &m.password {
        client
            .matrix_auth()
            .login_username(&m.user_id, password)
            .initial_device_display_name(&m.device_name)
            .send()
            .await
            .context("Matrix login failed (check matrix.user_id and matrix.password)")?;
        let session = client.matrix_auth().session().context("login gave no session")?;
        save_session(&paths.session_file, &session)?;
        tracing::info!(user = %m.user_id, device = %session.meta.device_id, "logged in as a new device");
    } else {
        let (Some(token), Some(device)) = (&m.access_token, &m.device_id) else {
            bail!("matrix.password, or matrix.access_token with matrix.device_id, is required");
        };
        let user_id: OwnedUserId = m.user_id.as_str().try_into().context("matrix.user_id")?;
        let device_id: OwnedDeviceId = device.as_str().into();
        client
            .restore_session(MatrixSession {
                meta: SessionMeta { user_id, device_id },
                tokens: SessionTokens { access_token: token.clone(), refresh_token: None },
            })
            .await
            .context("could not use matrix.access_token")?;
        client.whoami().await.context("the homeserver did not accept matrix.access_token")?;
        tracing::info!(user = %m.user_id, "using the configured access token");
    }

    if let Some(key) = &m.recovery_passphrase {
        set_up_recovery(&client, key).await;
    }
    Ok(client)
}

/// People address the bot by the name the config gives it, so its profile shows that
/// name. Failure is logged, not fatal.
pub async fn set_display_name(client: &Client, name: &str) {
    let account = client.account();
    match account.get_display_name().await {
        Ok(Some(current)) if current == name => {}
        _ => {
            if let Err(e) = account.set_display_name(Some(name)).await {
                tracing::warn!(error = %e, "could not set the bot's display name");
            }
        }
    }
}

/// The session holds the access token: written owner-only, and atomically so a crash
/// never leaves half a file.
fn save_session(path: &Path, session: &MatrixSession) -> anyhow::Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(session)?)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("could not save {}", path.display()))?;
    Ok(())
}

/// Key backup lets a replacement device read old encrypted rooms. Failure is logged, not
/// fatal: the bot still works for new messages.
async fn set_up_recovery(client: &Client, key: &str) {
    use matrix_sdk::encryption::recovery::RecoveryState;
    client.encryption().wait_for_e2ee_initialization_tasks().await;
    let recovery = client.encryption().recovery();
    let result = match recovery.state() {
        RecoveryState::Disabled => recovery.enable().with_passphrase(key).await.map(|_| ()),
        RecoveryState::Incomplete => recovery.recover(key).await,
        RecoveryState::Enabled | RecoveryState::Unknown => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not set up key backup recovery");
    }
}
