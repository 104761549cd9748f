//! Files and folders the desk writes hold patient data or point at it: each is created readable
//! and writable by its owner only, whatever the process's umask, and an existing one is
//! narrowed to that when the desk opens it.

use std::fs::{DirBuilder, File, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Owner read and write.
pub const FILE_MODE: u32 = 0o600;
/// Owner read, write and search.
pub const DIR_MODE: u32 = 0o700;

/// Creates `dir` and any missing parents as owner-only. Folders that were already there are
/// left as they are: they may be the person's own (their home, a shared drive), not the desk's.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    // The umask may have taken bits from the owner too.
    for d in missing {
        narrow(d, DIR_MODE)?;
    }
    Ok(())
}

/// Creates `path` empty and owner-only if it is not there, else narrows it to owner-only.
pub fn create_file(path: &Path) -> std::io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)?;
    narrow(path, FILE_MODE)
}

/// A new file at `path` (never one already there), owner-only, for writing.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(file)
}

/// Opens (creating if needed) a file to hold a lock on, owner-only.
pub fn open_for_lock(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(FILE_MODE))?;
    Ok(file)
}

/// Writes `bytes` to `path`, owner-only, replacing it whole: a new file beside it, synced, then
/// renamed over it, so a reader never sees half of it and a crash leaves the old one.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fresh = path.with_file_name(format!(".{name}.{}.new", std::process::id()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(FILE_MODE)
            .open(&fresh)?;
        file.set_permissions(Permissions::from_mode(FILE_MODE))?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&fresh, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&fresh);
    }
    result
}

/// Narrows an existing file or folder to `mode`; one that is not there is left alone.
pub fn narrow(path: &Path, mode: u32) -> std::io::Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().mode() & 0o777 != mode => {
            std::fs::set_permissions(path, Permissions::from_mode(mode))
        }
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(p: &Path) -> u32 {
        std::fs::metadata(p).expect("there").permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_created_owner_only_whatever_the_umask() {
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("a/b");
        create_dir(&dir).expect("made");
        assert_eq!(mode_of(&dir), DIR_MODE);
        assert_eq!(mode_of(&root.path().join("a")), DIR_MODE);

        let file = dir.join("export.csv");
        write(&file, b"nhs_number\n").expect("written");
        assert_eq!(mode_of(&file), FILE_MODE);
        assert_eq!(std::fs::read(&file).expect("read"), b"nhs_number\n");

        // A folder that was already there is not the desk's to change; a file the desk keeps is.
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).expect("widened");
        std::fs::set_permissions(&file, Permissions::from_mode(0o644)).expect("widened");
        create_dir(&dir).expect("again");
        create_file(&file).expect("narrowed");
        assert_eq!(mode_of(&dir), 0o755);
        assert_eq!(mode_of(&file), FILE_MODE);
        assert_eq!(std::fs::read(&file).expect("read"), b"nhs_number\n", "kept");
        let fresh = create_new(&dir.join("new.csv")).expect("new");
        drop(fresh);
        assert_eq!(mode_of(&dir.join("new.csv")), FILE_MODE);
        assert!(
            create_new(&dir.join("new.csv")).is_err(),
            "never replaces one"
        );
        let lock = open_for_lock(&dir.join("x.lock")).expect("lock file");
        drop(lock);
        assert_eq!(mode_of(&dir.join("x.lock")), FILE_MODE);
    }
}
