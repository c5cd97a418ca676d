//! Loading whole files at once into a dataset (the bundled sample): each file goes through the
//! model's importer, and the batches become one immutable dataset. Uploads, read and analysed a
//! slice at a time, take `upload.rs`'s path instead; neither parses on its own.

use crate::model::{self, AsOf, Dataset, SourceKind};

/// A file's name and bytes, as fetched or read from disk.
pub struct NamedBytes {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A dataset built from files, with the non-fatal remarks worth showing (records skipped).
pub struct Imported {
    pub dataset: Dataset,
    pub notes: Vec<String>,
}

/// Imports every file and builds one dataset from them.
///
/// A file the model cannot read at all fails the whole import with a message naming the file and
/// the first problems; problems in an otherwise readable file are reported in `notes`. (Asking
/// whether to keep the good records of a partly bad upload is the upload screen's job.)
///
/// ```text
/// let imported = import_files(vec![NamedBytes { name, bytes }], SourceKind::Uploaded)?;
/// ```
pub fn import_files(files: Vec<NamedBytes>, source: SourceKind) -> Result<Imported, String> {
    let mut batches = Vec::with_capacity(files.len());
    let mut notes = Vec::new();
    for file in files {
        let imported = model::import_file(&file.name, &file.bytes);
        if imported.fatal {
            return Err(unreadable_file_message(&imported.name, &imported.errors));
        }
        if !imported.errors.is_empty() {
            notes.push(format!(
                "{} ({}): {} good records read; problems such as: {}",
                imported.name, imported.kind, imported.records, imported.errors[0]
            ));
        }
        batches.push(imported.batch);
    }
    Ok(Imported {
        dataset: Dataset::build(batches, AsOf::Newest, source),
        notes,
    })
}

fn unreadable_file_message(name: &str, errors: &[model::ImportError]) -> String {
    let mut message = format!("{name} could not be read.");
    for error in errors.iter().take(3) {
        message.push(' ');
        message.push_str(&error.to_string());
        message.push('.');
    }
    if errors.len() > 3 {
        message.push_str(&format!(" (and {} more)", errors.len() - 3));
    }
    message
}
