//! Semantic tokens in the protocol's shape: `ide`'s tokens (byte ranges, a multi-line text or comment as
//! one token) split at line ends and delta-encoded, lengths counted in the negotiated encoding through
//! [`Lines`]. The legend is `ide`'s.

use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensEdit, SemanticTokensLegend,
};

use super::convert::{Lines, Sequential};
use crate::ide::semantic_tokens::{self as ide_tokens, TOKEN_MODIFIERS, TOKEN_TYPES};

/// The legend announced at `initialize`: `ide`'s token types and modifiers, in its order.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|t| SemanticTokenType::new(t.as_str())).collect(),
        token_modifiers: TOKEN_MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
    }
}

/// Encodes tokens (in text order, not overlapping) relative to each other, one per line they cover.
pub fn encode(tokens: &[ide_tokens::SemanticToken], lines: &Lines) -> Vec<SemanticToken> {
    let mut encoded = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0, 0);
    // Tokens come in order: positions are counted along the text, not looked up one by one.
    let mut positions = Sequential::new(*lines);
    let mut line_end = (usize::MAX, 0);
    for token in tokens {
        let mut start = token.range.start;
        while start < token.range.end {
            let position = positions.position(start);
            let line = position.line as usize;
            if line_end.0 != line {
                line_end = (line, lines.content_end(line));
            }
            let end = token.range.end.min(line_end.1);
            let length = positions.position(end).character.saturating_sub(position.character);
            if length > 0 {
                let delta_line = position.line - previous_line;
                let delta_start =
                    if delta_line == 0 { position.character - previous_start } else { position.character };
                encoded.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length,
                    token_type: token.token_type.index(),
                    token_modifiers_bitset: token.modifiers,
                });
                (previous_line, previous_start) = (position.line, position.character);
            }
            // Most tokens end on their line: the next line's start is looked up only for those that do not.
            if token.range.end <= line_end.1 || line + 1 >= lines.line_count() {
                break;
            }
            start = lines.content_start(line + 1);
        }
    }
    encoded
}

/// The one edit that turns the tokens of an earlier answer into `new`: what differs between their common
/// start and their common end. `start` and `delete_count` count the protocol's integers, five a token.
pub fn delta(old: &[SemanticToken], new: &[SemanticToken]) -> SemanticTokensEdit {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix =
        old[prefix..].iter().rev().zip(new[prefix..].iter().rev()).take_while(|(a, b)| a == b).count();
    SemanticTokensEdit {
        start: integers(prefix),
        delete_count: integers(old.len() - prefix - suffix),
        data: Some(new[prefix..new.len() - suffix].to_vec()),
    }
}

/// The protocol's integer count of `tokens` tokens.
fn integers(tokens: usize) -> u32 {
    u32::try_from(tokens.saturating_mul(5)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use ropey::Rope;

    use super::*;
    use crate::ide::semantic_tokens::TokenType;
    use crate::lsp::convert::Encoding;

    #[test]
    fn a_delta_replaces_only_what_changed() {
        let token = |delta_line, length| SemanticToken {
            delta_line,
            delta_start: 0,
            length,
            token_type: 0,
            token_modifiers_bitset: 0,
        };
        let old = vec![token(0, 1), token(1, 2), token(1, 3), token(1, 4)];
        let new = vec![token(0, 1), token(1, 9), token(1, 9), token(1, 3), token(1, 4)];
        let edit = delta(&old, &new);
        assert_eq!((edit.start, edit.delete_count), (5, 5));
        assert_eq!(edit.data, Some(vec![token(1, 9), token(1, 9)]));
        // Applied to the old integers, the edit gives the new ones.
        let mut applied = old.clone();
        let at = edit.start as usize / 5;
        applied.splice(at..at + edit.delete_count as usize / 5, edit.data.unwrap());
        assert_eq!(applied, new);
        let same = delta(&new, &new);
        assert_eq!((same.delete_count, same.data), (0, Some(Vec::new())));
    }

    #[test]
    fn multi_line_tokens_are_split_and_columns_follow_the_encoding() {
        let text = "x = \"é😀\r\n\r\nab\" & y";
        let rope = Rope::from_str(text);
        let string = ide_tokens::SemanticToken {
            range: 4..text.find(" &").unwrap(),
            token_type: TokenType::String,
            modifiers: 0,
        };
        let y = text.find('y').unwrap();
        let variable =
            ide_tokens::SemanticToken { range: y..y + 1, token_type: TokenType::Variable, modifiers: 4 };
        let tokens = [string, variable];
        let utf16 = encode(&tokens, &Lines::new(&rope, Encoding::Utf16));
        let triples: Vec<(u32, u32, u32)> =
            utf16.iter().map(|t| (t.delta_line, t.delta_start, t.length)).collect();
        // `"é😀` is 4 UTF-16 units; the empty line has no token; `ab"` is 3; `y` is 3 further on.
        assert_eq!(triples, [(0, 4, 4), (2, 0, 3), (0, 6, 1)]);
        assert_eq!(utf16[2].token_modifiers_bitset, 4);
        let utf8 = encode(&tokens, &Lines::new(&rope, Encoding::Utf8));
        assert_eq!(utf8[0].length, 7);
    }
}
