"""Boilerplate patterns, kept as data.

Each rule has an id (stable: it is written to the `boilerplate` table), a snake_case reason (the category a
user filters on) and the case that forced it. The cleaner (`presswork.clean.cleaner`) owns the logic; this module only says
what boilerplate looks like.

Scopes:
- "line": the rule must match a whole line (after trimming), and the line may have at most `max_words` words,
  so a real paragraph that happens to start like boilerplate is never dropped.
- "span": the rule removes just the matched text wherever it occurs, for prompts glued to a paragraph
  ("...subscribe!The ICC, based in The Hague, ...": seed 001).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Scope = Literal["line", "span"]


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    reason: str
    scope: Scope
    pattern: re.Pattern[str]
    max_words: int
    fragment_only: bool  # only lines that do not end like a sentence, where the words could be real prose
    why: str


def _rule(
    rule_id: str,
    reason: str,
    scope: Scope,
    pattern: str,
    why: str,
    max_words: int = 40,
    fragment_only: bool = False,
    ignore_case: bool = True,
) -> Rule:
    flags = re.IGNORECASE if ignore_case else 0
    return Rule(rule_id, reason, scope, re.compile(pattern, flags), max_words, fragment_only, why)


_SOCIAL = (
    r"(?:facebook|twitter|x|linkedin|whatsapp|e-?mail|reddit|pinterest|telegram|flipboard|messenger|copy link|print)"
)
_NUMBER_WORD = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
# A parenthesised credit at the end of a caption: "(Reuters Photo)", "(Image Credit: Kremlin)",
# "(AP Photo/Evan Vucci)", "(Getty Images)". A bare "(Reuters)" or "(AP)" is a dateline, not a credit.
CREDIT_PAREN = (
    r"\((?:[^()]*\b(?:photos?|photograph|image|picture|credit|getty images|shutterstock|alamy|pool)\b[^()]*)\)"
)

RULES: tuple[Rule, ...] = (
    # --- prompts glued into paragraphs -------------------------------------------------------------------------
    _rule(
        "thanks_for_reading",
        "subscribe_prompt",
        "span",
        r"thanks?(?: you)? for reading(?: (?:this|our) (?:post|article|story|piece))?[,.!]?"
        r"(?:\s*(?:and\s+)?(?:please\s+)?don[’']?t forget to (?:subscribe|share)[^.!?\n]{0,60}[.!]*)?",
        "seed 001 glues 'Thank you for reading this post, don't forget to subscribe!' to a paragraph",
    ),
    _rule(
        "forget_to_subscribe",
        "subscribe_prompt",
        "span",
        r"(?:please\s+)?don[’']?t forget to (?:subscribe|like and subscribe)[^.!?\n]{0,60}[.!]*",
        "the second half of seed 001's prompt appears on its own on many blogs",
    ),
    _rule(
        "click_to_subscribe",
        "subscribe_prompt",
        "span",
        r"(?:click here to|please) subscribe(?: (?:to|for) [^.!?\n]{0,60})?[.!]+",
        "inline calls to subscribe inside paragraphs",
    ),
    _rule(
        "newsletter_inline",
        "newsletter_signup",
        "span",
        r"sign up for (?:our|the|my) [^.!?\n]{0,40}newsletter[^.!?\n]{0,80}[.!]+",
        "'Sign up for our daily newsletter to get ...' sentences inside paragraphs",
    ),
    # --- whole lines -------------------------------------------------------------------------------------------
    _rule(
        "subscribe_line",
        "subscribe_prompt",
        "line",
        r"(?:subscribe|join)(?: now| today| here| free)?(?: (?:to|for|and) .{1,80})?[.!:]*",
        "seed 002 ends with 'Subscribe to IRIA News'",
        max_words=12,
    ),
    _rule(
        "newsletter_line",
        "newsletter_signup",
        "line",
        r"(?:(?:get|receive|sign up|subscribe|join|want|delivered)\b.{0,80}\b(?:newsletters?|mailing list|inbox)\b.{0,120}"
        r"|enter your e-?mail(?: address)?.{0,40}|your e-?mail(?: address)?:?|e-?mail address:?"
        r"|sign up(?: now| here| today)?[.!]?|(?:sign up|register) (?:for|to) .{0,100})",
        "seed 002's 'Enter your email address:' sign-up box; 'Get our newsletter in your inbox'",
        max_words=25,
    ),
    _rule(
        "newsletter_call",
        "newsletter_signup",
        "line",
        r".{0,120}\b(?:sign(?:ing)? ?up|subscrib\w*|register\w*|get|receive)\b.{0,100}\b(?:newsletters?|by e-?mail|inbox|e-?mail updates|e-?mail alerts|daily edition)\b.{0,120}"
        r"|.{0,160}\b(?:newsletters?|by e-?mail|inbox|daily edition)\b.{0,100}\b(?:sign ?up|subscribe)(?: here| now| today)?[.!]?"
        r"|.{0,160}\bsign up here[.!]?",
        "'Never miss the latest news by signing up to our newsletter today!' (corkbeo.ie); 'Get The Times of "
        "Israel's Daily Edition by email ... Free Sign Up'",
        max_words=30,
    ),
    _rule(
        "paywall_prompt",
        "paywall_prompt",
        "line",
        r".{0,200}\b(?:already an? (?:subscriber|member)|subscribers? (?:also )?(?:get|receive|enjoy)|log ?in (?:for|to) (?:get )?(?:immediate |full )?(?:access|continue|read)"
        r"|subscribe (?:now )?to (?:continue|keep) reading|to continue reading|this (?:article|story|content) is (?:for|available to|only available to) (?:subscribers|members))\b.{0,200}",
        "'If you're seeing this message but you're already a subscriber, you can log in ...' (haitiantimes.com)",
        max_words=45,
    ),
    _rule(
        "app_promo",
        "app_promo",
        "line",
        r".{0,150}\bdownload (?:the|our) .{0,60}\bapps?\b.{0,100}|.{0,100}\bget (?:the|our) (?:free )?app\b.{0,100}",
        "'For the latest stories ... download the Nationnews apps for iOS and Android.' (nationnews.com)",
        max_words=35,
    ),
    _rule(
        "affiliate_disclosure",
        "affiliate_disclosure",
        "line",
        r".{0,300}\b(?:we (?:may )?(?:receive|earn|get) (?:a )?(?:small )?(?:compensation|commission)|advertiser disclosure|affiliate (?:links?|commission)"
        r"|contains? (?:references to products|affiliate links)|(?:sponsored|paid) (?:by|partnership with))\b.{0,400}",
        "'We recommend the best products ... We may receive compensation ...' (thebalance.com, thepointsguy.com)",
        max_words=90,
    ),
    _rule(
        "all_caps_credit",
        "byline",
        "span",
        r"(?<=[.!?”\"])\s+(?i:(?:photo(?:graph)?\s+)?by)\s+(?:[A-Z][A-Z.'’&/-]+\s*){2,8}$",
        "'... in Las Croabas. By U.S. CUSTOMS AND BORDER PROTECTION': an agency credit glued to a caption",
        ignore_case=False,
    ),
    _rule(
        "caption_positions",
        "photo_caption",
        "line",
        r".{0,400}\((?:far |second |third |centre |center |front |back )?(?:left|right|centre|center|l|r|c|pictured|above|below|top|bottom|inset)\).{0,400}",
        "captions name people by position: 'Senator Aubyn Hill (right), looks on as ... (left), addresses' (jis.gov.jm)",
        max_words=70,
        fragment_only=False,
    ),
    _rule(
        "site_name_line",
        "source_credit",
        "line",
        r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|news|info|co\.uk|com\.au|ie|ca)/?",
        "a line that is only a domain name, the credit of a syndicated story ('BVINEWS.COM')",
        max_words=3,
    ),
    _rule(
        "copyright_line",
        "copyright_notice",
        "line",
        r"(?:.{0,120}(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\))?\s*\d{4}).{0,200}"
        r"|.{0,200}\ball rights reserved\b.{0,200}|copyright(?: notice)?)",
        "seed 002: 'Copyright © 2014-2025 IRIA - International Relations Insights & Analysis'",
    ),
    _rule(
        "read_time",
        "read_time",
        "line",
        rf"(?:(?:estimated\s+)?read(?:ing)? time:?\s*)?(?:about\s+|approx\.?\s+)?{_NUMBER_WORD}\s*-?\s*min(?:ute)?s?\.?"
        r"(?:\s+(?:read|to read|reading|listen))?(?:\s*[|·•]\s*.{0,60})?",
        "seed 002: '6 minute read'",
        max_words=12,
    ),
    _rule(
        "comment_prompt",
        "comment_prompt",
        "line",
        r"(?:leave|post|add|write|submit) a (?:comment|reply|response)[.!:]?|(?:no|\d+) (?:comments?|responses?|replies)(?: yet)?"
        r"|comments?(?: \(\d+\))?:?|(?:view|show|read|see|hide) (?:all )?(?:\d+ )?comments?|join the (?:conversation|discussion).{0,60}"
        r"|be the first to comment.{0,40}|click (?:here )?to comment.{0,40}|what do you think\?.{0,60}"
        r"|you must be logged in to post a comment.{0,40}",
        "seed 002: 'Leave a comment'",
        max_words=15,
    ),
    _rule(
        "comment_count_line",
        "category_line",
        "line",
        r".{1,120}?\s(?:No|\d+) Comments? on .{1,200}",
        "seed 002: 'Europe, News No Comments on <title>', a WordPress category and comment-count line",
        max_words=45,
        fragment_only=True,
        ignore_case=False,
    ),
    _rule(
        "filed_under",
        "category_line",
        "line",
        r"(?:filed under|categories|category|tags?|topics?|posted in|published in)\s*:.{0,200}",
        "WordPress 'Filed under: A, B' and 'Tags: x, y' lines",
        max_words=30,
    ),
    _rule(
        "related_header",
        "related_links",
        "line",
        r"(?:related|recommended|more|popular|trending|latest|top|similar)"
        r"(?: (?:articles?|stories|posts?|news|content|reading|links?|coverage|videos?|topics?|headlines))?(?: for you)?[:.]?"
        r"|read (?:more|next|also)\b.{0,150}|see (?:also|more)\b.{0,150}|also read\b.{0,150}|don[’']?t miss\b.{0,150}"
        r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested in).{0,100}|more (?:from|on|about) .{1,80}"
        r"|(?:recommended|related) (?:for|by) .{1,40}|click here to read.{0,120}",
        "seed 002: 'Related Articles'",
        max_words=20,
    ),
    _rule(
        "back_to_top",
        "back_to_top",
        "line",
        r"(?:back|return|go|scroll) to (?:the )?top(?: of (?:the )?page)?[.!]?|top of page|↑ ?top",
        "seed 002: 'Back to Top'",
        max_words=8,
    ),
    _rule(
        "caption_with_credit",
        "photo_caption",
        "line",
        rf".{{0,600}}{CREDIT_PAREN}[.\s]*",
        "seed 000: a caption ending '(Reuters Photo)'; seed 002: '... (Image Credit: Sofya Sandurskaya/TASS)'",
        max_words=70,
    ),
    _rule(
        "credit_line",
        "photo_credit",
        "line",
        r"(?:photo|photograph|image|picture|video|illustration|graphic|file photo|main image|top image|cover image|header image)s?"
        r"(?: credit)?s?\s*(?::|by\b|courtesy\b).{0,200}"
        r"|(?:credit|credits|source|courtesy)\s*:.{0,200}"
        r"|(?:getty images|ap photo|reuters|afp|epa(?:-efe)?|shutterstock|alamy|istock(?:photo)?|pa images?|anadolu agency)"
        r"(?:\s*(?:/|via|\|)\s*.{0,80})?(?:\s+(?:photos?|images?))?[.]?",
        "'Photo: Jane Doe/Reuters', 'AP Photo/Evan Vucci', 'Getty Images' credit lines",
        max_words=25,
    ),
    _rule(
        "byline",
        "byline",
        "line",
        r"(?i:(?:written |reported |story |words )?by):?\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|da|van|von|al|bin|le)){0,4}"
        r"(?:\s*(?:,|and|&|\||-|–|—)\s*.{0,80})?",
        "'By Jane Doe, Reuters' bylines; names must be capitalised so 'By then, ...' is never taken",
        max_words=20,
        fragment_only=True,
        ignore_case=False,
    ),
    _rule(
        "reporting_credit",
        "byline",
        "line",
        r"(?:additional )?reporting by .{1,200}|(?:writing|editing|edited|compiled) by .{1,200}"
        r"|write to .{1,80}\bat\b\s*\S+@\S+|(?:follow|contact) (?:the )?(?:author|writer|reporter) .{0,100}",
        "Reuters' 'Reporting by X; Editing by Y' and WSJ's 'Write to X at x@example.com' lines",
        max_words=30,
    ),
    _rule(
        "advertisement",
        "advertisement",
        "line",
        r"(?:advertisements?|advert|ad|ads|sponsored(?: content| post| links?)?|paid (?:content|post|partner.{0,40})"
        r"|(?:story|article) continues (?:below|after).{0,40}|continue reading(?: below| the main story)?.{0,40}"
        r"|skip (?:advert|advertisement|ad)|promoted(?: content| stories)?|video|watch(?: now| video| live)?:?"
        r"|listen(?: to this article| now)?.{0,40}|audio|play video|loading\W*)",
        "'Advertisement', 'Advert' and 'VIDEO' labels that scrapers keep between paragraphs",
        max_words=10,
    ),
    _rule(
        "share_prompt",
        "share_prompt",
        "line",
        rf"(?:share|tweet|post|pin|email|send)(?: this| it)?(?: (?:article|story|post|page|link))?"
        rf"(?:\s*(?:on|via|with|to))?(?:\s*[,:|/·•]?\s*{_SOCIAL})*[:.!]?"
        rf"|{_SOCIAL}(?:\s*[,|/·•]?\s*{_SOCIAL})+|follow us(?: on .{{0,60}})?|like us on .{{0,40}}"
        r"|click to (?:share|print|email).{0,60}|share (?:this|the) (?:article|story)\b.{0,60}",
        "share bars flattened to text: 'Share this article: Facebook Twitter Email'",
        max_words=15,
    ),
    _rule(
        "cookie_notice",
        "cookie_notice",
        "line",
        r".{0,300}\b(?:we use cookies|this (?:web)?site uses cookies|cookie (?:policy|settings|preferences|consent)"
        r"|(?:accept|reject|manage) (?:all )?cookies)\b.{0,300}",
        "cookie banners caught by scrapers",
        max_words=70,
    ),
    _rule(
        "terms_notice",
        "terms_notice",
        "line",
        r".{0,150}\b(?:by (?:using|continuing|clicking|signing|subscribing|submitting|registering)|you (?:agree|consent|acknowledge))"
        r"\b.{0,150}\b(?:terms|privacy)\b.{0,150}"
        r"|(?:(?:terms of (?:use|service)|privacy(?: policy| notice)?|cookie policy|contact(?: us)?|about(?: us)?|sitemap"
        r"|accessibility|advertise(?: with us)?|careers|help|faq)\s*[|·•,/]?\s*){2,}",
        "footer link rows ('Terms of Use | Privacy Policy | Contact') and 'by signing up you agree to' lines",
        max_words=45,
    ),
)


# Lines that are sentences end like this; headings, captions and navigation usually do not.
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
