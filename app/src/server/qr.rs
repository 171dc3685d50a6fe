//! A QR code as an inline SVG, for a sign-in code handed over in person.

/// The QR code of `text` as an SVG element (no XML prolog), or nothing when it does not fit one.
pub fn svg(text: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let drawn = code
                .render::<svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            match drawn.find("<svg") {
                Some(start) => drawn[start..].to_owned(),
                None => drawn,
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "a QR code could not be drawn");
            String::new()
        }
    }
}
