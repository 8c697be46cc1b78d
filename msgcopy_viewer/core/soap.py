"""MM7 SOAP envelope parsing.

Elements are matched by their *local* name, so the namespace (REL-5, REL-6,
none) and the prefix (``mm7:``, ``mm7p6a0:``, default namespace) do not
matter.  The XML is parsed with :mod:`defusedxml` (entity declarations and
external references are refused).  When that fails (unbound prefix, ``::``
typos, entity bombs, truncation) a small tag tokenizer reads the same fields
leniently and a warning is recorded.
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

__all__ = [
    "Envelope",
    "XNode",
    "document_kind",
    "lenient_tree",
    "local_name",
    "parse_envelope",
    "xml_tree",
]

# What an MM7 document is, by the name of its request element. Only these carry a message;
# delivery and read reports say what became of one (MMStatus, StatusText).
MESSAGE_REQUESTS = frozenset({"DeliverReq", "SubmitReq", "ReplaceReq"})
REPORT_KINDS = {"DeliveryReportReq": "delivery_report", "ReadReplyReq": "read_report"}


def document_kind(message_kind: str | None) -> str:
    """``message`` (also when the request element is unknown), ``delivery_report``,
    ``read_report``, or ``other`` (another MM7 request or response: not a message)."""
    if message_kind is None or message_kind in MESSAGE_REQUESTS:
        return "message"
    return REPORT_KINDS.get(message_kind, "other")


_ADDRESS_TAGS = ("Number", "RFC2822Address", "ShortCode")
_TYPE_SUFFIX_RE = re.compile(r"/TYPE=[^/]*$", re.I)
_TOKEN_RE = re.compile(
    r"<!--.*?(?:-->|$)|<!\[CDATA\[(.*?)(?:\]\]>|$)|<![^>]*>|<\?.*?(?:\?>|$)"
    r"|<(/?)\s*([A-Za-z_:][\w.:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>",
    re.S,
)
_ATTR_RE = re.compile(r"""([A-Za-z_:][\w.:-]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")


@dataclass(slots=True)
class Envelope:
    message_kind: str | None = None
    transaction_id: str | None = None
    mm7_version: str | None = None
    sender: str | None = None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    subject: str | None = None
    timestamp: str | None = None
    content_href: str | None = None
    # reports: the MessageID they are about, MMStatus and StatusText
    message_id: str | None = None
    status: str | None = None
    status_text: str | None = None


@dataclass(slots=True)
class XNode:
    """A namespace-free element: local name, local-named attributes, text."""

    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""
    children: list[XNode] = field(default_factory=list)

    def iter(self) -> list[XNode]:
        out: list[XNode] = []
        stack = [self]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def find(self, name: str) -> XNode | None:
        for node in self.iter():
            if node is not self and node.name == name:
                return node
        return None

    def child(self, name: str) -> XNode | None:
        for node in self.children:
            if node.name == name:
                return node
        return None

    def full_text(self) -> str:
        parts: list[str] = []
        for node in self.iter():
            parts.append(node.text)
        return "".join(parts)


def local_name(tag: str) -> str:
    """``{ns}Name`` / ``pfx:Name`` / ``pfx::Name`` → ``Name``."""
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    if ":" in tag:
        tag = tag.rsplit(":", 1)[1]
    return tag


def _convert(elem: Element) -> XNode:
    """The element tree as XNodes, without recursion (any depth) and with each node's text
    joined once (repeated ``+=`` would copy it again for every child: quadratic)."""
    root = XNode(name=local_name(str(elem.tag)))
    pending: list[tuple[Element, XNode]] = [(elem, root)]
    while pending:
        source, node = pending.pop()
        node.attrs = {local_name(k): v for k, v in source.attrib.items()}
        texts = [source.text or ""]
        for sub in source:
            child = XNode(name=local_name(str(sub.tag)))
            node.children.append(child)
            pending.append((sub, child))
            if sub.tail:
                texts.append(sub.tail)
        node.text = "".join(texts)
    return root


def xml_tree(data: bytes | str, *, forbid_dtd: bool) -> XNode:
    """Parse with defusedxml and convert to :class:`XNode`.

    Raises ``ParseError`` / ``defusedxml.DefusedXmlException`` / ``ValueError``.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = DET.fromstring(
            data, forbid_dtd=forbid_dtd, forbid_entities=True, forbid_external=True
        )
    return _convert(root)


def lenient_tree(text: str) -> XNode:
    """Build an :class:`XNode` tree from tag soup (never raises).

    Unknown entities are left as written; DTDs and comments are skipped;
    unmatched close tags are ignored; unclosed elements are closed at the end.
    """
    root = XNode(name="#document")
    stack = [root]
    texts: dict[int, list[str]] = {}  # id(node) -> text pieces, joined once at the end
    nodes: dict[int, XNode] = {id(root): root}
    open_names: dict[str, int] = {}  # how many elements of each name are open
    pos = 0

    def add_text(piece: str) -> None:
        node = stack[-1]
        texts.setdefault(id(node), []).append(piece)

    for match in _TOKEN_RE.finditer(text):
        if match.start() > pos:
            add_text(html.unescape(text[pos : match.start()]))
        pos = match.end()
        cdata, closing, tag, attrs, selfclose = match.groups()
        if cdata is not None:
            add_text(cdata)
            continue
        if tag is None:
            continue
        name = local_name(tag)
        if closing:
            # Close the innermost open element of that name and any left open inside it;
            # a close tag whose name is not open is ignored at once (no stack walk:
            # thousands of unmatched close tags stay linear).
            if open_names.get(name):
                while len(stack) > 1:
                    closed = stack.pop()
                    open_names[closed.name] -= 1
                    if closed.name == name:
                        break
            continue
        node = XNode(name=name)
        nodes[id(node)] = node
        for amatch in _ATTR_RE.finditer(attrs or ""):
            value = amatch.group(2)
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            node.attrs[local_name(amatch.group(1))] = html.unescape(value)
        stack[-1].children.append(node)
        if not selfclose and not (attrs or "").rstrip().endswith("/"):
            stack.append(node)
            open_names[name] = open_names.get(name, 0) + 1
    if pos < len(text):
        add_text(html.unescape(text[pos:]))
    for key, pieces in texts.items():
        nodes[key].text = "".join(pieces)
    return root


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def _address(value: str | None) -> str | None:
    value = _clean(value)
    if value is None:
        return None
    value = _TYPE_SUFFIX_RE.sub("", value).strip()
    return value or None


def _addresses_of(node: XNode) -> list[str]:
    out: list[str] = []
    found = False
    for sub in node.iter():
        if sub is not node and sub.name in _ADDRESS_TAGS:
            found = True
            addr = _address(sub.full_text())
            if addr:
                out.append(addr)
    if not found:
        addr = _address(node.full_text())
        if addr:
            out.append(addr)
    return out


def _decode_xml_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _extract(root: XNode) -> Envelope:
    env = Envelope()
    body = root.find("Body")
    request: XNode | None = None
    if body is not None:
        for sub in body.children:
            request = sub
            break
    if request is None:
        for node in root.iter():
            if node.name.endswith(("Req", "Rsp")):
                request = node
                break
    scope = request if request is not None else root
    env.message_kind = request.name if request is not None else None

    tid = root.find("TransactionID")
    env.transaction_id = _clean(tid.full_text()) if tid is not None else None
    for attr, tag in (
        ("mm7_version", "MM7Version"),
        ("subject", "Subject"),
        ("message_id", "MessageID"),
        ("status", "MMStatus"),
        ("status_text", "StatusText"),
    ):
        found = scope.find(tag)
        if found is not None:
            setattr(env, attr, _clean(found.full_text()))
    ts = scope.find("TimeStamp") or scope.find("Date")
    env.timestamp = _clean(ts.full_text()) if ts is not None else None

    sender = scope.find("Sender")
    if sender is None:
        ident = scope.find("SenderIdentification")
        if ident is not None:
            sender = ident.find("SenderAddress")
    if sender is not None:
        addrs = _addresses_of(sender)
        env.sender = addrs[0] if addrs else None

    recipients = scope.find("Recipients")
    if recipients is not None:
        for kind in ("To", "Cc", "Bcc"):
            bucket: list[str] = getattr(env, kind.lower())
            for sub in recipients.iter():
                if sub.name == kind:
                    bucket.extend(_addresses_of(sub))
    else:
        single = scope.find("Recipient")
        if single is not None:
            env.to.extend(_addresses_of(single))

    content = scope.find("Content")
    if content is not None:
        href = content.attrs.get("href")
        env.content_href = href.strip() if href and href.strip() else None
    return env


def parse_envelope(data: bytes) -> tuple[Envelope, list[str]]:
    """Parse a SOAP envelope part.  Never raises; problems become warnings."""
    warns: list[str] = []
    start = data.find(b"<")
    xml = data[start:] if start >= 0 else b""
    if not xml.strip():
        return Envelope(), ["The SOAP envelope part is empty."]
    tree: XNode | None = None
    try:
        tree = xml_tree(xml, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        warns.append(
            "The SOAP envelope contains a DTD or entity declarations, which are refused for "
            "safety; its fields were read leniently."
        )
    except (ParseError, ValueError, UnicodeError, LookupError) as exc:
        warns.append(
            f"The SOAP envelope is not well-formed XML ({_describe(exc)}); its fields were "
            "read leniently."
        )
    except RecursionError:
        warns.append("The SOAP envelope nests too deeply; its fields were read leniently.")
    if tree is None:
        tree = lenient_tree(_decode_xml_text(xml))
    env = _extract(tree)
    if env.message_kind is None:
        warns.append("The SOAP envelope has no recognisable MM7 request element.")
    return env, warns


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]
