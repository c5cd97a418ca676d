//! Every alias of the method table (spec §3.1) maps to its canonical method, case-insensitively.

use sspr_insights::model::Method;

fn assert_maps(names: &[&str], expected: Method) {
    for name in names {
        for variant in [name.to_string(), name.to_uppercase(), name.to_lowercase()] {
            assert_eq!(Method::parse(&variant), Some(expected.clone()), "{variant}");
        }
    }
}

#[test]
fn every_alias_of_the_table_maps_to_its_canonical_method() {
    use Method::*;
    assert_maps(
        &[
            "appNotification",
            "microsoftAuthenticatorPush",
            "mobileAppNotification",
            "Microsoft Authenticator app",
        ],
        AppNotification,
    );
    assert_maps(
        &[
            "appCode",
            "softwareOneTimePasscode",
            "oneTimePasscode",
            "mobileAppCode",
            "Software OATH token",
        ],
        AppCode,
    );
    assert_maps(
        &[
            "microsoftAuthenticatorPasswordless",
            "Microsoft Passwordless phone sign-in",
        ],
        Passwordless,
    );
    assert_maps(&["sms", "mobileSMS"], Sms);
    assert_maps(&["mobileCall", "Phone call"], PhoneCall);
    assert_maps(&["mobilePhone"], MobilePhone);
    assert_maps(
        &[
            "alternateMobilePhone",
            "alternateMobileCall",
            "Alternate Mobile Call",
        ],
        AlternateMobilePhone,
    );
    assert_maps(&["officePhone", "officeCall", "Office call"], OfficePhone);
    assert_maps(&["email", "alternateEmail"], Email);
    assert_maps(
        &["securityQuestion", "securityQuestions"],
        SecurityQuestions,
    );
    assert_maps(&["hardwareOneTimePasscode"], HardwareOath);
    assert_maps(
        &[
            "fido",
            "fido2",
            "fido2SecurityKey",
            "passKeyDeviceBound",
            "passKeyDeviceBoundAuthenticator",
            "passKeyDeviceBoundWindowsHello",
            "passKeySynced",
            "FIDO2 security key",
        ],
        Fido2,
    );
    assert_maps(&["windowsHelloForBusiness"], WindowsHello);
    assert_maps(&["temporaryAccessPass"], TemporaryAccessPass);
    assert_maps(
        &[
            "x509CertificateSingleFactor",
            "x509CertificateMultiFactor",
            "Certificate-based authentication",
        ],
        Certificate,
    );
}

#[test]
fn labels_and_ids_read_back_to_the_same_method() {
    for method in Method::CANONICAL {
        assert_eq!(
            Method::parse(&method.label()),
            Some(method.clone()),
            "label {}",
            method.label()
        );
        assert_eq!(
            Method::parse(&method.id()),
            Some(method.clone()),
            "id {}",
            method.id()
        );
    }
}

#[test]
fn unknown_names_are_kept_under_other_with_their_original_spelling() {
    assert_eq!(
        Method::parse("qrCode"),
        Some(Method::Other("qrCode".into()))
    );
    assert_eq!(
        Method::parse("macOsSecureEnclaveKey").unwrap().label(),
        "macOsSecureEnclaveKey"
    );
    let placeholder = Method::parse("unknownFutureValue").unwrap();
    assert_eq!(placeholder.label(), "Unknown");
    assert_eq!(Method::parse(&placeholder.label()), Some(placeholder));
}

#[test]
fn an_empty_name_means_no_method() {
    assert_eq!(Method::parse(""), None);
    assert_eq!(Method::parse("   "), None);
}

#[test]
fn display_labels_are_the_tables() {
    assert_eq!(Method::AppNotification.label(), "App notification");
    assert_eq!(Method::Passwordless.label(), "Authenticator passwordless");
    assert_eq!(Method::Fido2.label(), "FIDO2 / passkey");
    assert_eq!(Method::Sms.to_string(), "SMS");
}

#[test]
fn a_table_that_remembers_recent_spellings_gives_the_codes_a_fresh_one_gives() {
    use sspr_insights::model::method::MethodTable;
    // Canonical names in several spellings, unknown names, names alike in length and in the
    // bytes the table places its recent spellings by ("xa1y", "xb1y"), over and over in a
    // changing order.
    let names = [
        "sms",
        "SMS",
        "email",
        "mobilePhone",
        "mobilephone",
        "officePhone",
        "passKeyDeviceBound",
        "microsoftAuthenticatorPush",
        "softwareOneTimePasscode",
        "securityQuestion",
        "",
        " sms ",
        "xa1y",
        "xb1y",
        "xa2y",
        "zzz-unknown",
        "ZZZ-unknown",
        "windowsHelloForBusiness",
        "fido2",
    ];
    let mut table = MethodTable::default();
    for round in 0..50 {
        for i in 0..names.len() {
            let name = names[(i * 7 + round * 3) % names.len()];
            let code = table.code(name);
            let got = table.method(code);
            match Method::parse(name) {
                // An unknown name keeps the spelling met first.
                Some(Method::Other(expected)) => assert!(
                    matches!(&got, Some(Method::Other(n)) if n.eq_ignore_ascii_case(&expected)),
                    "{name:?}: {got:?}"
                ),
                expected => assert_eq!(got, expected, "{name:?} in round {round}"),
            }
        }
    }
}
