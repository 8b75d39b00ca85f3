"""The SQLAlchemy dialect and pandas through it, against the simulator: URLs, reflection of the
sample apps, SQL compiled by SQLAlchemy, read_sql, to_sql. Warnings are errors (conftest), so
every test here also shows that neither SQLAlchemy nor pandas warns."""

from __future__ import annotations

import decimal
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import registry

import cdata_kintone as mod
from cdata_kintone.sqlalchemy import KintoneDialect, connection_string_from_url
from cdata_kintone.testing import Simulator


def url_string(text: str) -> str:
    return connection_string_from_url(sa.make_url(text))


# --- URLs ----------------------------------------------------------------------------------


def test_both_url_schemes_load_the_dialect_through_the_entry_points() -> None:
    assert registry.load("kintone") is KintoneDialect
    assert registry.load("kintone.cdata") is KintoneDialect
    assert sa.make_url("kintone+cdata://example.cybozu.com").get_dialect() is KintoneDialect


def test_host_user_and_query_parameters() -> None:
    assert url_string("kintone://sato:p%40ss%3Bw@example.cybozu.com/?GuestSpaceId=3") == (
        'GuestSpaceId=3;Url=https://example.cybozu.com;User=sato;Password="p@ss;w"'
    )
    assert url_string(
        "kintone://example.cybozu.com:8443?AuthScheme=APIToken&APIToken=t1%2Ct2&AppId=1,2"
    ) == "AuthScheme=APIToken;APIToken=t1,t2;AppId=1,2;Url=https://example.cybozu.com:8443"
    # Any value survives URL-encoding with quote_plus: a plus, an ampersand, a percent sign.
    assert url_string("kintone:///?Url=https%3A%2F%2Fx.cybozu.com&Password=a%2Bb%26c%25d") == (
        "Url=https://x.cybozu.com;Password=a+b&c%d"
    )


def test_the_reference_form_is_the_connection_string_after_the_question_mark() -> None:
    assert url_string("kintone:///?User=sato;Password=secret;Url=https://x.cybozu.com") == (
        "User=sato;Password=secret;Url=https://x.cybozu.com"
    )
    # SQLAlchemy splits the query at "&": the dialect joins it back.
    assert url_string("kintone:///?User=sato;Password=a&b;Url=https://x.cybozu.com") == (
        "User=sato;Password=a&b;Url=https://x.cybozu.com"
    )
    # What SQLAlchemy's decoding changes, as the README says: "+" is a space, %26 is "&".
    assert url_string("kintone:///?User=sato;Password=a+b%26c;Url=https://x.cybozu.com") == (
        "User=sato;Password=a b&c;Url=https://x.cybozu.com"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("kintone://x.cybozu.com/apps", "the path /apps has no meaning"),
        ("kintone://x.cybozu.com/?Url=https://y.cybozu.com", "either as the host or as Url="),
        ("kintone:///?AppId=1&AppId=2", "AppId is given more than once"),
    ],
)
def test_urls_that_say_something_twice_or_nothing_meaningful(url: str, message: str) -> None:
    with pytest.raises(mod.ProgrammingError, match=message):
        url_string(url)


# --- against the simulator -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[Simulator]:
    """A simulator the read-only tests share."""
    with Simulator(order_records=10) as s:
        yield s


@pytest.fixture(scope="module")
def engine(shared_sim: Simulator) -> Iterator[sa.Engine]:
    """An engine made from the reference's URL form, with the simulator's plain-HTTP Url."""
    eng = sa.create_engine(
        f"kintone:///?User={shared_sim.user};Password={shared_sim.password};Url={shared_sim.url}"
    )
    yield eng
    eng.dispose()


def sys_table_names(conn: mod.Connection, kind: str = "TABLE") -> list[str]:
    sql = "SELECT TableName FROM sys_tables WHERE TableType = ?"
    return [r[0] for r in conn.execute(sql, [kind]).fetchall()]


@pytest.mark.native
def test_the_inspector_reflects_the_sample_apps(engine: sa.Engine, shared_sim: Simulator) -> None:
    insp = sa.inspect(engine)
    with mod.connect(shared_sim.connection_string) as conn:
        assert sorted(insp.get_table_names()) == sorted(sys_table_names(conn))
        assert sorted(insp.get_view_names()) == sorted(sys_table_names(conn, "VIEW"))
    assert "Apps" in insp.get_view_names() and "Apps" not in insp.get_table_names()
    assert {"Deals", "顧客リスト", "受注明細 Orders", "受注明細 Orders_明細"} <= set(
        insp.get_table_names()
    )
    columns = {c["name"]: c for c in insp.get_columns("Deals")}
    expected = {
        "Id": sa.INTEGER,
        "Revision": sa.INTEGER,
        "Amount": sa.DECIMAL,
        "Close date": sa.DATE,
        "Call time": sa.TIME,
        "Last contact": sa.DATETIME,
        "Deal name": sa.VARCHAR,
    }
    for name, typ in expected.items():
        assert isinstance(columns[name]["type"], typ), (name, columns[name]["type"])
    last_contact = columns["Last contact"]["type"]
    assert isinstance(last_contact, sa.DATETIME) and last_contact.timezone is True
    assert columns["Id"]["nullable"] is False and columns["Amount"]["nullable"] is True
    assert insp.get_pk_constraint("Deals")["constrained_columns"] == ["Id"]
    assert insp.get_foreign_keys("Deals") == []
    (fk,) = insp.get_foreign_keys("受注明細 Orders_明細")
    assert (fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]) == (
        ["RecordId"],
        "受注明細 Orders",
        ["Id"],
    )
    assert insp.get_table_comment("Deals")["text"] == "Sales pipeline (sample data)"
    assert insp.has_table("Deals") and insp.has_table("Deals#UPSERT")
    assert not insp.has_table("NoSuchApp") and not insp.has_table("受注明細 Orders_明細#UPSERT")
    with engine.connect() as c:
        assert c.get_isolation_level() == "AUTOCOMMIT"  # no transactions


@pytest.mark.native
def test_reflected_tables_compile_to_sql_the_driver_runs(
    engine: sa.Engine, shared_sim: Simulator
) -> None:
    meta = sa.MetaData()
    meta.reflect(engine, only=["Deals", "受注明細 Orders", "受注明細 Orders_明細"])
    deals, orders, lines = (
        meta.tables[n] for n in ("Deals", "受注明細 Orders", "受注明細 Orders_明細")
    )
    stmt = (
        sa.select(deals.c.Id, deals.c["Deal name"], deals.c.Amount)
        .where(deals.c.Stage == "Won")
        .order_by(deals.c.Id)
        .limit(3)
        .offset(2)
    )
    join = (
        sa.select(orders.c.Id, sa.func.count(lines.c.Id))
        .join_from(orders, lines)  # through the reflected foreign key
        .group_by(orders.c.Id)
        .order_by(orders.c.Id)
    )
    offset_only = sa.select(deals.c.Id).order_by(deals.c.Id).offset(1995)
    with engine.connect() as c, mod.connect(shared_sim.connection_string) as conn:
        assert c.execute(stmt).all() == conn.execute(
            "SELECT Id, [Deal name], Amount FROM Deals WHERE Stage = 'Won' ORDER BY Id "
            "LIMIT 3 OFFSET 2"
        ).fetchall()
        assert c.execute(join).all() == conn.execute(
            "SELECT o.Id, COUNT(l.Id) FROM [受注明細 Orders] o JOIN [受注明細 Orders_明細] l "
            "ON l.RecordId = o.Id GROUP BY o.Id ORDER BY o.Id"
        ).fetchall()
        assert [r[0] for r in c.execute(offset_only)] == [1996, 1997, 1998, 1999, 2000]
        assert isinstance(c.execute(stmt).first()[2], decimal.Decimal)  # type: ignore[index]
    with pytest.raises(sa.exc.CompileError, match=r"no RETURNING.*inserted_ids"):
        sa.insert(deals).values({"Deal name": "x"}).returning(deals.c.Id).compile(engine)


@pytest.mark.native
def test_read_sql_of_a_join_and_read_sql_table(engine: sa.Engine, shared_sim: Simulator) -> None:
    sql = (
        "SELECT d.Id, d.[Deal name], d.Amount, c.[会社名] AS Company FROM Deals d "
        "JOIN [顧客リスト] c ON d.Customer = c.[会社名] ORDER BY d.Id"
    )
    df = pd.read_sql(sql, engine, coerce_float=False)
    with mod.connect(shared_sim.connection_string) as conn:
        rows = conn.execute(sql).fetchall()
        n_deals = conn.execute("SELECT COUNT(*) FROM Deals").fetchone()[0]  # type: ignore[index]
    assert list(df.columns) == ["Id", "Deal name", "Amount", "Company"]
    assert [tuple(r) for r in df.itertuples(index=False)] == rows
    table = pd.read_sql_table("Deals", engine)
    assert table.shape == (n_deals, 21)
    assert str(table["Last contact"].dtype) == "datetime64[us, UTC]"


@pytest.mark.native
def test_to_sql_appends_rows_in_one_bulk_request_and_reads_them_back(sim: Simulator) -> None:
    engine = sa.create_engine(
        "kintone://", connect_args={"Url": sim.url, "User": sim.user, "Password": sim.password}
    )
    df = pd.DataFrame(
        {
            "Deal name": [f"Bulk {i}" for i in range(250)],
            "Amount": [decimal.Decimal(i) / 4 for i in range(250)],
            "Close date": pd.date_range("2026-01-01", periods=250, freq="D").date,
        }
    )
    sim.reset_requests()
    assert df.to_sql("Deals", engine, if_exists="append", index=False) == 250
    writes = [r for r in sim.requests() if r["method"] != "GET"]
    assert [r["path"] for r in writes] == ["/k/v1/bulkRequest.json"]  # 3 x 100 records
    back = pd.read_sql(
        "SELECT [Deal name], Amount, [Close date] FROM Deals WHERE [Deal name] LIKE 'Bulk %' "
        "ORDER BY Id",
        engine,
        coerce_float=False,
    )
    assert back["Deal name"].tolist() == df["Deal name"].tolist()
    assert back["Amount"].tolist() == df["Amount"].tolist()
    assert back["Close date"].tolist() == df["Close date"].tolist()
    engine.dispose()


@pytest.mark.native
def test_to_sql_upserts_through_the_companion_table(sim: Simulator) -> None:
    engine = sa.create_engine(f"kintone:///?Url={sim.url}&User={sim.user}&Password={sim.password}")
    df = pd.DataFrame({"Id": [1, 9001], "Deal name": ["Renamed", "Added"]})
    # A lower-case name: pandas looks for a name with capitals among the listed tables after
    # writing (and warns), and companion tables are not listed.
    df.to_sql("deals#upsert", engine, if_exists="append", index=False)
    with engine.connect() as c:
        names = {r[0]: r[1] for r in c.exec_driver_sql("SELECT Id, [Deal name] FROM Deals")}
    assert names[1] == "Renamed"
    assert "Added" in names.values() and 9001 not in names  # kintone numbers new records
    engine.dispose()


@pytest.mark.native
@pytest.mark.parametrize(
    ("name", "if_exists", "verb"), [("New table", "fail", "create"), ("Deals", "replace", "drop")]
)
def test_to_sql_cannot_create_or_drop_a_table(
    sim: Simulator, conn: mod.Connection, name: str, if_exists: str, verb: str
) -> None:
    engine = sa.create_engine("kintone://", creator=lambda: mod.connect(sim.connection_string))
    before = conn.execute("SELECT COUNT(*) FROM Deals").fetchone()
    df = pd.DataFrame({"Deal name": ["x"]})
    with pytest.raises(mod.NotSupportedError, match=rf"cannot {verb} table .*kintone apps"):
        df.to_sql(name, engine, if_exists=if_exists, index=False)
    assert conn.execute("SELECT COUNT(*) FROM Deals").fetchone() == before
    engine.dispose()


@pytest.mark.native
def test_temporary_tables_can_be_created_and_dropped(engine: sa.Engine) -> None:
    meta = sa.MetaData()
    scratch = sa.Table(
        "scratch", meta, sa.Column("n", sa.Integer), sa.Column("s", sa.String),
        prefixes=["TEMPORARY"],
    )
    with engine.connect() as c:
        meta.create_all(c)
        c.execute(sa.insert(scratch), [{"n": 1, "s": "a"}, {"n": 2, "s": "b"}])
        assert c.execute(sa.select(sa.func.sum(scratch.c.n))).scalar() == 3
        meta.drop_all(c)
