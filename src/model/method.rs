//! The one method normalisation table (spec §3.1): every wire name, portal label and our own label
//! maps case-insensitively to one canonical [`Method`]. Nothing else in the app names methods.

use std::fmt;

use super::strings::same_bytes;

/// A canonical authentication method. Unknown names are kept as [`Method::Other`] with the name as
/// it arrived, so nothing is lost and the data-quality warnings can count them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    AppNotification,
    AppCode,
    Passwordless,
    Sms,
    PhoneCall,
    MobilePhone,
    AlternateMobilePhone,
    OfficePhone,
    Email,
    SecurityQuestions,
    HardwareOath,
    Fido2,
    WindowsHello,
    TemporaryAccessPass,
    Certificate,
    Other(Box<str>),
}

/// Number of canonical (non-`Other`) methods; their codes are `0..CANONICAL_COUNT`.
pub const CANONICAL_COUNT: usize = 15;

impl Method {
    /// The canonical methods in table order.
    pub const CANONICAL: [Method; CANONICAL_COUNT] = [
        Method::AppNotification,
        Method::AppCode,
        Method::Passwordless,
        Method::Sms,
        Method::PhoneCall,
        Method::MobilePhone,
        Method::AlternateMobilePhone,
        Method::OfficePhone,
        Method::Email,
        Method::SecurityQuestions,
        Method::HardwareOath,
        Method::Fido2,
        Method::WindowsHello,
        Method::TemporaryAccessPass,
        Method::Certificate,
    ];

    /// Normalises any name from any source; `None` for an empty (or blank) name and for `none`
    /// (the word of Graph's default and system-preferred method fields), which mean "no method".
    ///
    /// ```
    /// use sspr_insights::model::Method;
    /// assert_eq!(Method::parse("mobileSMS"), Some(Method::Sms));
    /// assert_eq!(Method::parse("Microsoft Authenticator app"), Some(Method::AppNotification));
    /// assert_eq!(Method::parse("voiceMobile"), Some(Method::PhoneCall));
    /// assert_eq!(Method::parse("qrCode"), Some(Method::Other("qrCode".into())));
    /// assert_eq!(Method::parse(""), None);
    /// assert_eq!(Method::parse("none"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Method> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let lower = name.to_ascii_lowercase();
        let method = match lower.as_str() {
            "none" => return None,
            "appnotification"
            | "microsoftauthenticatorpush"
            | "mobileappnotification"
            | "microsoft authenticator app"
            | "app notification"
            | "mobile app notification"
            | "push" => Method::AppNotification,
            "appcode"
            | "softwareonetimepasscode"
            | "onetimepasscode"
            | "mobileappcode"
            | "software oath token"
            | "app code"
            | "mobile app code"
            | "oath" => Method::AppCode,
            "microsoftauthenticatorpasswordless"
            | "microsoft passwordless phone sign-in"
            | "passwordless"
            | "authenticator passwordless" => Method::Passwordless,
            "sms" | "mobilesms" => Method::Sms,
            "mobilecall" | "phone call" | "phonecall" | "voicemobile" => Method::PhoneCall,
            "mobilephone" | "mobile phone" => Method::MobilePhone,
            "alternatemobilephone"
            | "alternatemobilecall"
            | "alternate mobile call"
            | "alternate mobile phone"
            | "voicealternatemobile" => Method::AlternateMobilePhone,
            "officephone" | "officecall" | "office call" | "office phone" | "voiceoffice" => {
                Method::OfficePhone
            }
            "email" | "alternateemail" => Method::Email,
            "securityquestion" | "securityquestions" | "security questions" => {
                Method::SecurityQuestions
            }
            "hardwareonetimepasscode" | "hardwareoath" | "hardware oath token" => {
                Method::HardwareOath
            }
            "fido"
            | "fido2"
            | "fido2securitykey"
            | "passkeydevicebound"
            | "passkeydeviceboundauthenticator"
            | "passkeydeviceboundwindowshello"
            | "passkeysynced"
            | "fido2 security key"
            | "fido2 / passkey" => Method::Fido2,
            "windowshelloforbusiness" | "windowshello" | "windows hello for business" => {
                Method::WindowsHello
            }
            "temporaryaccesspass" | "temporary access pass" => Method::TemporaryAccessPass,
            "certificate" | "certificate-based authentication" => Method::Certificate,
            other if other.starts_with("x509certificate") => Method::Certificate,
            // Our label for Graph's placeholder reads back as the placeholder.
            "unknown" | "unknownfuturevalue" => Method::Other("unknownFutureValue".into()),
            _ => Method::Other(name.into()),
        };
        Some(method)
    }

    /// The display label (also what our CSV downloads write).
    pub fn label(&self) -> String {
        match self {
            Method::Other(name) if name.eq_ignore_ascii_case("unknownFutureValue") => {
                "Unknown".to_string()
            }
            Method::Other(name) => name.to_string(),
            canonical => canonical.canonical_label().to_string(),
        }
    }

    /// The id used in URL queries (`methods=`, `method=`): the canonical name, or the original
    /// name for `Other`. [`Method::parse`] reads it back.
    pub fn id(&self) -> String {
        match self {
            Method::Other(name) => name.to_string(),
            canonical => canonical.canonical_id().to_string(),
        }
    }

    /// Code of a canonical method (`0..CANONICAL_COUNT`), `None` for `Other`.
    pub fn canonical_code(&self) -> Option<u16> {
        Method::CANONICAL
            .iter()
            .position(|m| m == self)
            .map(|i| i as u16)
    }

    /// Whether the method is a text message or a voice call (or the phone number behind them):
    /// the MFA methods that can be phished or taken over by SIM swapping.
    pub fn is_sms_or_voice(&self) -> bool {
        matches!(
            self,
            Method::Sms
                | Method::PhoneCall
                | Method::MobilePhone
                | Method::AlternateMobilePhone
                | Method::OfficePhone
        )
    }

    fn canonical_label(&self) -> &'static str {
        match self {
            Method::AppNotification => "App notification",
            Method::AppCode => "App code",
            Method::Passwordless => "Authenticator passwordless",
            Method::Sms => "SMS",
            Method::PhoneCall => "Phone call",
            Method::MobilePhone => "Mobile phone",
            Method::AlternateMobilePhone => "Alternate mobile phone",
            Method::OfficePhone => "Office phone",
            Method::Email => "Email",
            Method::SecurityQuestions => "Security questions",
            Method::HardwareOath => "Hardware OATH token",
            Method::Fido2 => "FIDO2 / passkey",
            Method::WindowsHello => "Windows Hello for Business",
            Method::TemporaryAccessPass => "Temporary Access Pass",
            Method::Certificate => "Certificate",
            Method::Other(_) => "",
        }
    }

    fn canonical_id(&self) -> &'static str {
        match self {
            Method::AppNotification => "AppNotification",
            Method::AppCode => "AppCode",
            Method::Passwordless => "Passwordless",
            Method::Sms => "Sms",
            Method::PhoneCall => "PhoneCall",
            Method::MobilePhone => "MobilePhone",
            Method::AlternateMobilePhone => "AlternateMobilePhone",
            Method::OfficePhone => "OfficePhone",
            Method::Email => "Email",
            Method::SecurityQuestions => "SecurityQuestions",
            Method::HardwareOath => "HardwareOath",
            Method::Fido2 => "Fido2",
            Method::WindowsHello => "WindowsHello",
            Method::TemporaryAccessPass => "TemporaryAccessPass",
            Method::Certificate => "Certificate",
            Method::Other(_) => "",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A method as stored in the dataset: canonical codes first, then the dataset's unknown names.
pub type MethodCode = u16;

/// "No method" (an empty name).
pub const NO_METHOD: MethodCode = u16::MAX;

/// Interns method names for one dataset or batch: canonical methods have fixed codes, unknown
/// names get codes from `CANONICAL_COUNT` up, compared case-insensitively.
///
/// A hostile or broken file can hold any number of distinct unknown names: the table keeps the
/// first [`MAX_UNKNOWN_NAMES`] as methods of their own and counts every later one under
/// [`OTHER_UNKNOWN_NAMES`], so codes never wrap and charts and warnings stay readable.
#[derive(Clone, Debug, Default)]
pub struct MethodTable {
    /// Original spelling of each unknown name, by `code - CANONICAL_COUNT`.
    others: Vec<Box<str>>,
    /// ASCII-lower-case unknown name → its index in `others`.
    index: rustc_hash::FxHashMap<Box<str>, u16>,
    /// The index of the [`OTHER_UNKNOWN_NAMES`] entry, once there is one.
    overflow: Option<u16>,
    /// Raw spelling (exact) → code: a cache so each distinct raw string is normalised once.
    raw: rustc_hash::FxHashMap<Box<str>, MethodCode>,
    /// The last raw spellings met, by [`recent_slot`]: a file names a few methods over and over,
    /// and comparing one spelling costs less than hashing it (the importer looks up a method
    /// for every event and several for every user).
    recent: Vec<(Box<str>, MethodCode)>,
}

/// Spellings [`MethodTable::recent`] holds.
const RECENT: usize = 32;

/// Where a raw spelling goes in [`MethodTable::recent`]: from its length and three of its bytes,
/// which tell the method names apart.
fn recent_slot(raw: &[u8]) -> usize {
    let n = raw.len();
    if n == 0 {
        return 0;
    }
    let mix = n ^ (raw[0] as usize) << 1 ^ (raw[n / 2] as usize) << 2 ^ (raw[n - 1] as usize) << 3;
    (mix ^ mix >> 5) % RECENT
}

/// Distinct unknown method names a dataset keeps apart; later ones are counted together.
pub const MAX_UNKNOWN_NAMES: usize = 256;

/// The one entry that stands for every unknown name past [`MAX_UNKNOWN_NAMES`].
pub const OTHER_UNKNOWN_NAMES: &str = "Other unknown names";

impl MethodTable {
    /// The code of a raw name from the data (`NO_METHOD` for an empty one).
    pub fn code(&mut self, raw: &str) -> MethodCode {
        let slot = recent_slot(raw.as_bytes());
        if let Some((spelling, code)) = self.recent.get(slot) {
            if same_bytes(spelling.as_bytes(), raw.as_bytes()) {
                return *code;
            }
        }
        let code = self.code_uncached(raw);
        if self.recent.is_empty() {
            self.recent = vec![(Box::from(""), NO_METHOD); RECENT];
        }
        self.recent[slot] = (raw.into(), code);
        code
    }

    fn code_uncached(&mut self, raw: &str) -> MethodCode {
        if let Some(&code) = self.raw.get(raw) {
            return code;
        }
        let code = match Method::parse(raw) {
            None => NO_METHOD,
            Some(method) => self.code_of(&method),
        };
        self.raw.insert(raw.into(), code);
        code
    }

    /// The code of a method, adding an unknown name when it is new.
    pub fn code_of(&mut self, method: &Method) -> MethodCode {
        match method {
            Method::Other(name) => {
                let key = name.to_ascii_lowercase();
                if let Some(&index) = self.index.get(key.as_str()) {
                    return CANONICAL_COUNT as MethodCode + index;
                }
                let index = if self.others.len() < MAX_UNKNOWN_NAMES
                    && !name.eq_ignore_ascii_case(OTHER_UNKNOWN_NAMES)
                {
                    let index = self.others.len() as u16;
                    self.others.push(name.clone());
                    self.index.insert(key.into(), index);
                    index
                } else {
                    self.overflow_index()
                };
                CANONICAL_COUNT as MethodCode + index
            }
            canonical => canonical.canonical_code().unwrap_or(NO_METHOD),
        }
    }

    /// The code of a method if this table knows it (no insertion).
    pub fn find(&self, method: &Method) -> Option<MethodCode> {
        match method {
            Method::Other(name) => self
                .index
                .get(name.to_ascii_lowercase().as_str())
                .map(|&i| CANONICAL_COUNT as MethodCode + i),
            canonical => canonical.canonical_code(),
        }
    }

    /// The index of the entry that counts the names past the cap, made when first needed.
    fn overflow_index(&mut self) -> u16 {
        *self.overflow.get_or_insert_with(|| {
            let index = self.others.len() as u16;
            self.others.push(OTHER_UNKNOWN_NAMES.into());
            self.index
                .insert(OTHER_UNKNOWN_NAMES.to_ascii_lowercase().into(), index);
            index
        })
    }

    /// The method behind a code; `None` for `NO_METHOD` or a code this table never gave.
    pub fn method(&self, code: MethodCode) -> Option<Method> {
        let code = code as usize;
        if code < CANONICAL_COUNT {
            return Some(Method::CANONICAL[code].clone());
        }
        self.others
            .get(code - CANONICAL_COUNT)
            .map(|name| Method::Other(name.clone()))
    }

    /// How many codes are in use (canonical plus unknown names).
    pub fn len(&self) -> usize {
        CANONICAL_COUNT + self.others.len()
    }

    /// Always false: the canonical codes are always there.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The unknown names in the order they were first seen.
    pub fn other_names(&self) -> &[Box<str>] {
        &self.others
    }

    /// Bytes held on the heap (for the memory benchmark).
    pub fn heap_bytes(&self) -> usize {
        self.others.iter().map(|s| 2 * s.len() + 40).sum::<usize>() + self.raw.len() * 40
    }
}
