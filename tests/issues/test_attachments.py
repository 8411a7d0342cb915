"""Adding files to an issue's record (上传附件): who may, when, what kind of file, and what is recorded."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.core.errors import InvalidInput, InvalidTransition, NotPermitted
from services.issues import actions
from services.issues.attachments import PER_ISSUE_MAX, clean_name
from services.issues.models import IssueAttachment, IssueEvent
from tests.factories import issues as make
from tests.issues.state import stored_attachment_files

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def upload(name="用地规划许可申请表（盖章版）.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def handling(enterprise_user, dispatcher, handler, category):
    return make.handling(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )


def test_the_enterprise_adds_a_file_and_the_history_records_it(handling, enterprise_user):
    attachment = actions.add_attachment(
        issue=handling, actor=enterprise_user, upload=upload(), note="补充盖章版申请表📎"
    )

    assert attachment.name == "用地规划许可申请表（盖章版）.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.file.read() == PDF
    event = IssueEvent.objects.filter(issue=handling).latest("pk")
    assert (event.kind, event.actor, event.note) == ("attach", enterprise_user, "补充盖章版申请表📎")
    assert event.data == {"attachment": attachment.pk, "name": attachment.name, "size": len(PDF)}
    assert event.from_status == event.to_status == "handling"


def test_the_stored_name_is_a_random_key_not_the_uploaders_name(handling, enterprise_user):
    attachment = actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload())

    assert attachment.file.name.startswith("issues/")
    assert attachment.file.name.endswith(".pdf")
    assert "用地" not in attachment.file.name


def test_the_fingerprint_is_the_sha256_of_the_content(handling, enterprise_user):
    attachment = actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload())

    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize("who", ["enterprise_user", "specialist", "dispatcher", "handler", "co_handler"])
def test_those_taking_part_may_add_a_file(
    who, request, enterprise_user, dispatcher, handler, co_unit, category
):
    issue = make.handling(
        enterprise_user=enterprise_user,
        dispatcher=dispatcher,
        handler=handler,
        category=category,
        co_units=[co_unit],
    )
    actor = request.getfixturevalue(who)

    actions.add_attachment(issue=issue, actor=actor, upload=upload())

    assert IssueAttachment.objects.filter(issue=issue, uploaded_by=actor).count() == 1


@pytest.mark.parametrize(
    "who", ["other_enterprise_user", "idle_specialist", "other_handler", "leader", "administrator"]
)
def test_others_may_not_and_nothing_is_kept(who, request, handling, nothing_changes):
    actor = request.getfixturevalue(who)

    with nothing_changes(), pytest.raises(NotPermitted):
        actions.add_attachment(issue=handling, actor=actor, upload=upload())


def test_a_unit_whose_part_has_ended_may_no_longer_add_files(
    handling, handler, dispatcher, other_unit, nothing_changes
):
    actions.transfer_issue(issue=handling, actor=dispatcher, lead_unit=other_unit, co_units=[])

    with nothing_changes(), pytest.raises(NotPermitted):
        actions.add_attachment(issue=handling, actor=handler, upload=upload())


def test_a_closed_record_takes_no_more_files(enterprise_user, dispatcher, handler, category, nothing_changes):
    issue = make.closed(
        enterprise_user=enterprise_user, dispatcher=dispatcher, handler=handler, category=category
    )

    with nothing_changes(), pytest.raises(InvalidTransition):
        actions.add_attachment(issue=issue, actor=enterprise_user, upload=upload())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("报价单.exe", PROGRAM, "不支持这种文件"),
        ("报价单.pdf", PROGRAM, "文件内容与扩展名“pdf”不符"),
        ("现场照片.png", PDF, "文件内容与扩展名“png”不符"),
        ("空白.pdf", b"", "文件是空的"),
        ("没有扩展名", PDF, "不支持这种文件"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    name, content, message, handling, enterprise_user, nothing_changes
):
    with nothing_changes(), pytest.raises(InvalidInput) as refusal:
        actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload(name, content))

    assert message in refusal.value.errors["file"][0]


def test_a_file_over_the_limit_is_refused_with_both_sizes(
    handling, enterprise_user, settings, nothing_changes
):
    settings.JIANGJIN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (2 * 1024 * 1024)

    with nothing_changes(), pytest.raises(InvalidInput) as refusal:
        actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload(content=big))

    assert refusal.value.errors["file"] == ["文件太大：2.0 MB，最大 1.0 MB。"]


def test_an_issue_takes_at_most_thirty_files(handling, enterprise_user, nothing_changes):
    for n in range(PER_ISSUE_MAX):
        actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload(f"现场照片{n}.png", PNG))

    with nothing_changes(), pytest.raises(InvalidInput):
        actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload())


def test_a_failure_after_the_file_was_stored_removes_it_again(handling, enterprise_user, monkeypatch):
    before = stored_attachment_files()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "_move", broken)
    with pytest.raises(RuntimeError):
        actions.add_attachment(issue=handling, actor=enterprise_user, upload=upload())

    assert stored_attachment_files() == before
    assert not IssueAttachment.objects.exists()


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\张三\\Desktop\\营业执照.PDF", "营业执照.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("发票\u202efdp.exe", "发票fdp.exe"),
        ("  合同\u0000扫描件.pdf ", "合同扫描件.pdf"),
        ("现场照片🏭.jpg", "现场照片🏭.jpg"),
        ("长" * 300 + ".docx", "长" * 115 + ".docx"),
    ],
)
def test_a_name_loses_folders_invisible_characters_and_excess_length(raw, clean):
    assert clean_name(raw) == clean
