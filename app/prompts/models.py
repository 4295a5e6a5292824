"""What a prompt post stores beside the post."""

from sqlmodel import Field, SQLModel


class PromptDetails(SQLModel, table=True):
    """What a prompt post adds to a post: the answer format and the library prompt it came from."""

    __tablename__ = "prompt_details"

    post_id: int = Field(foreign_key="posts.id", primary_key=True, ondelete="CASCADE")
    space_id: int = Field(foreign_key="spaces.id", index=True, ondelete="CASCADE")
    answer_format: str = Field(default="", max_length=300)
    library_key: str = Field(default="", max_length=64)
