from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from emtihan.attempts import services
from emtihan.attempts.models import Answer, Picture
from emtihan.attempts.selectors import picture_src
from emtihan.attempts.tests.conftest import NOW, SECOND, assign_proctor
from emtihan.core.errors import PermissionDeniedError, ValidationFailed


def image_file(fmt="PNG", size=(40, 30), name="drawing.png", **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    mode = "RGBA" if fmt in ("PNG", "WEBP") else "RGB"
    Image.new(mode, size, (200, 10, 10)).save(out, format=fmt, **save)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def upload(sitting, file, at=NOW):
    return services.picture_upload(
        attempt_id=sitting.attempt.pk, student_user=sitting.user, file=file, now=at
    )


@pytest.fixture
def pictures_allowed(sitting):
    sitting.attempt.exam.allow_drawings = True
    sitting.attempt.exam.save()
    return sitting


def stored_image(picture: Picture) -> Image.Image:
    with picture.file.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_a_png_is_reencoded_without_its_metadata(pictures_allowed):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Student One 100001")
    picture = upload(pictures_allowed, image_file(pnginfo=info))
    assert (picture.width, picture.height, picture.content_type) == (40, 30, "image/png")
    assert picture.file.name.startswith(f"attempts/{pictures_allowed.attempt.pk}/pictures/")
    image = stored_image(picture)
    assert image.format == "PNG"
    assert "Author" not in image.info


def test_a_jpeg_stays_jpeg_and_loses_its_exif(pictures_allowed):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    picture = upload(pictures_allowed, image_file("JPEG", name="photo.jpg", exif=exif.tobytes()))
    image = stored_image(picture)
    assert image.format == "JPEG"
    assert not image.getexif()


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_webp_and_gif_become_png(pictures_allowed, fmt):
    picture = upload(pictures_allowed, image_file(fmt, name=f"x.{fmt.lower()}"))
    assert stored_image(picture).format == "PNG"


def test_a_text_file_named_png_is_refused(pictures_allowed):
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationFailed) as exc:
        upload(pictures_allowed, fake)
    assert exc.value.errors == {"file": [services.ERR_PICTURE_FORMAT]}


def test_a_bmp_is_refused(pictures_allowed):
    with pytest.raises(ValidationFailed) as exc:
        upload(pictures_allowed, image_file("BMP", name="x.bmp"))
    assert exc.value.errors == {"file": [services.ERR_PICTURE_FORMAT]}


def test_more_than_5_mb_is_refused(pictures_allowed):
    big = SimpleUploadedFile("x.png", b"\0" * (5 * 1024 * 1024 + 1))
    with pytest.raises(ValidationFailed) as exc:
        upload(pictures_allowed, big)
    assert exc.value.errors == {"file": [services.ERR_PICTURE_TOO_LARGE]}


def test_more_than_4000_pixels_a_side_is_refused(pictures_allowed):
    with pytest.raises(ValidationFailed) as exc:
        upload(pictures_allowed, image_file(size=(4001, 2)))
    assert exc.value.errors == {"file": [services.ERR_PICTURE_DIMENSIONS]}


def test_pictures_need_the_exam_to_allow_them(sitting):
    with pytest.raises(PermissionDeniedError) as exc:
        upload(sitting, image_file())
    assert exc.value.message == services.ERR_PICTURES_NOT_ALLOWED


def test_no_uploads_after_the_deadline(pictures_allowed):
    with pytest.raises(services.TimeIsOver):
        upload(pictures_allowed, image_file(), at=pictures_allowed.attempt.deadline + SECOND)


def test_a_written_answer_keeps_its_own_pictures_only(pictures_allowed, world, exam):
    sitting = pictures_allowed
    mine = upload(sitting, image_file())
    src = picture_src(mine)
    content = {
        "doc": {
            "type": "doc",
            "content": [
                {"type": "image", "attrs": {"src": src}},
                {
                    "type": "image",
                    "attrs": {"src": src.replace(f"/{mine.pk}/", f"/{mine.pk + 100}/")},
                },
            ],
        }
    }
    sitting.save(content)
    stored = Answer.objects.get(attempt=sitting.attempt).draft["doc"]["content"]
    assert stored == [{"type": "image", "attrs": {"src": src}}]


# --- serving ---------------------------------------------------------------------------------


@pytest.fixture
def picture(pictures_allowed) -> Picture:
    return upload(pictures_allowed, image_file())


def test_the_student_sees_their_picture(client, world, picture):
    client.force_login(world.student)
    response = client.get(picture_src(picture))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def by_key(picture: Picture) -> str:
    return reverse("attempts:picture_by_key", args=[picture.key])


@pytest.mark.parametrize("who", ["exam_proctor", "teacher", "head"])
def test_the_exams_proctors_teachers_and_head_see_pictures(client, world, picture, who, request):
    user = request.getfixturevalue(who) if who == "exam_proctor" else getattr(world, who)
    client.force_login(user)
    assert client.get(picture_src(picture)).status_code == 200
    assert client.get(by_key(picture)).status_code == 200


def test_a_faculty_proctor_sees_pictures(client, world, picture, proctor):
    assign_proctor(world, proctor, faculty=world.it_faculty)
    client.force_login(proctor)
    assert client.get(picture_src(picture)).status_code == 200


def test_staff_see_pictures(client, world, picture):
    client.force_login(world.registrar)
    assert client.get(picture_src(picture)).status_code == 200


@pytest.mark.parametrize("who", ["proctor", "grader"])
def test_proctors_and_graders_out_of_scope_do_not(client, picture, who, request):
    """The defect: any proctor or grader fetched any student's pictures by sequential ids.
    Out of scope the picture does not exist, by either URL."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(picture_src(picture)).status_code == 404
    assert client.get(by_key(picture)).status_code == 404


def test_a_grader_of_the_exam_gets_the_picture_by_its_key_only(client, picture, exam_grader):
    """The attempt's path names the attempt: a grader never gets a picture that way (404,
    the same answer as for a picture that does not exist), only by its random key, and
    nothing in that answer names the attempt or the student."""
    client.force_login(exam_grader)
    assert client.get(picture_src(picture)).status_code == 404
    response = client.get(by_key(picture))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    url = by_key(picture)
    assert str(picture.attempt_id) not in url.replace(str(picture.key), "")
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    assert f"{picture.key}.png" in headers
    assert f"/{picture.attempt_id}/" not in headers and "100001" not in headers
    assert "Student" not in headers


@pytest.mark.parametrize("who", ["other_teacher", "other_head", "outsider"])
def test_others_do_not(client, world, picture, who):
    client.force_login(getattr(world, who))
    assert client.get(picture_src(picture)).status_code == 404
    assert client.get(by_key(picture)).status_code == 404


def test_another_students_request_is_refused(client, picture, other_student):
    client.force_login(other_student)
    assert client.get(picture_src(picture)).status_code == 404
    assert client.get(by_key(picture)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, picture):
    response = client.get(picture_src(picture))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_picture_under_another_attempts_path_is_not_found(client, world, picture):
    client.force_login(world.student)
    assert (
        client.get(f"/sitting/{picture.attempt_id + 1}/pictures/{picture.pk}/").status_code == 404
    )
